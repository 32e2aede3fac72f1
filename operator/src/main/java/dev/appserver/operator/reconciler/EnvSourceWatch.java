package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EnvSources;
import dev.appserver.operator.model.EnvSources.Kind;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Watches the ConfigMaps and Secrets that AppServers read their environment from, so that a
 * change to one reconciles (and rolls) the AppServers reading it.
 *
 * <p>Its informers keep no content: their store holds, for each object, its name and one short
 * digest per key ({@link EnvSources}), so a cluster's Secrets are never held in the operator's
 * memory, and a thousand large ConfigMaps cost a few hundred bytes each. An event is mapped to the
 * AppServers that reference the object (an index on the AppServer cache), and only a change of a
 * digest passes: a label or annotation change reconciles nothing. The operator's own ConfigMaps
 * are left out by label.
 */
final class EnvSourceWatch {
  static final String CONFIG_MAPS = "env-configmaps";
  static final String SECRETS = "env-secrets";
  private static final String INDEX = "env-sources";
  /** Marks an object in the store as holding digests, not content. */
  private static final String DIGESTS_ONLY = "appserver.dev/digests-only";

  private final Set<Kind> kinds;
  /** One event source per watched namespace (several watched), or one for all. */
  private volatile boolean perNamespaceSources;

  EnvSourceWatch(Set<Kind> kinds) {
    this.kinds = kinds;
  }

  /** The event sources, one per watched kind, and the AppServer index they map events with. */
  List<EventSource<?, AppServer>> eventSources(EventSourceContext<AppServer> context) {
    if (kinds.isEmpty()) return List.of();
    var primaries = context.getPrimaryCache();
    primaries.addIndexer(INDEX, appServer -> EnvSources.rolls(appServer.getSpec())
        ? EnvSources.references(appServer.getSpec()).stream()
            .map(r -> key(appServer.getMetadata().getNamespace(), r.object())).distinct().toList()
        : List.of());
    // JOSDK gives an informer's one store to the informer of each namespace it watches, and each
    // namespace's list then drops the others' objects from it; so with several namespaces each gets
    // an event source of its own (and with it a store of its own).
    Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
    boolean perNamespace = namespaces.size() > 1 && !InformerConfiguration.allNamespacesWatched(namespaces)
        && !InformerConfiguration.currentNamespaceWatched(namespaces);
    List<Optional<String>> scopes = perNamespace ? namespaces.stream().sorted().map(Optional::of).toList()
        : List.of(Optional.<String>empty());
    List<EventSource<?, AppServer>> sources = new ArrayList<>();
    for (Optional<String> ns : scopes) {
      if (kinds.contains(Kind.ConfigMap)) {
        sources.add(informer(context, ConfigMap.class, sourceName(CONFIG_MAPS, ns), ns, Kind.ConfigMap,
            EnvSourceWatch::leanConfigMap, cm -> digestsOf(cm, EnvSourceWatch::configMapDigests)));
      }
      if (kinds.contains(Kind.Secret)) {
        sources.add(informer(context, Secret.class, sourceName(SECRETS, ns), ns, Kind.Secret,
            EnvSourceWatch::leanSecret, s -> digestsOf(s, EnvSourceWatch::secretDigests)));
      }
    }
    perNamespaceSources = perNamespace;
    return sources;
  }

  private static String sourceName(String base, Optional<String> namespace) {
    return namespace.map(ns -> base + "-" + ns).orElse(base);
  }

  private static <R extends HasMetadata> InformerEventSource<R, AppServer> informer(EventSourceContext<AppServer> context,
      Class<R> type, String name, Optional<String> namespace, Kind kind, Function<R, R> lean,
      Function<R, Map<String, String>> digests) {
    var primaries = context.getPrimaryCache();
    var builder = InformerEventSourceConfiguration.from(type, AppServer.class).withName(name);
    namespace.ifPresent(builder::withNamespaces);
    var config = builder
        // The operator's own ConfigMaps (gunicorn.conf.py) are watched by their dependents' informer.
        .withLabelSelector(Names.LABEL_MANAGED_BY + "!=" + Names.OPERATOR)
        .withItemStore(new TransformingItemStore<>(lean::apply))
        .withSecondaryToPrimaryMapper(o -> primaries
            .byIndex(INDEX, key(o.getMetadata().getNamespace(), kind + "/" + o.getMetadata().getName())).stream()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withOnUpdateFilter((now, before) -> !digests.apply(now).equals(digests.apply(before)))
        .build();
    return new InformerEventSource<>(config, context);
  }

  /**
   * The digest of the sources the AppServer reads, from the watch's caches, and the references
   * that point at nothing (a missing source that is not optional: its pods cannot start).
   */
  Result digest(AppServer resource, Context<AppServer> context) {
    var spec = resource.getSpec();
    if (!EnvSources.rolls(spec)) return new Result(null, List.of());
    String ns = resource.getMetadata().getNamespace();
    Map<String, Optional<Map<String, String>>> found = new LinkedHashMap<>();
    for (var ref : EnvSources.references(spec)) {
      if (!kinds.contains(ref.kind())) continue;
      found.computeIfAbsent(ref.object(), o -> lookup(context, ref.kind(), ns, ref.name()));
    }
    String digest = EnvSources.digest(spec, kinds, o -> found.getOrDefault(o, Optional.empty()));
    List<EnvSources.Ref> missing = EnvSources.references(spec).stream()
        .filter(r -> kinds.contains(r.kind()) && !r.optional() && found.get(r.object()).isEmpty())
        .toList();
    return new Result(digest, missing);
  }

  /** @param missing references, not optional, to an object that does not exist */
  record Result(String digest, List<EnvSources.Ref> missing) {
    String missingMessage() {
      return missing.stream().map(r -> r.kind() + " " + r.name() + " (" + r.field() + ")")
          .collect(Collectors.joining(", ")) + (missing.size() == 1 ? " does" : " do") + " not exist: the pods cannot start until "
          + (missing.size() == 1 ? "it is" : "they are") + " created";
    }
  }

  private Optional<Map<String, String>> lookup(Context<AppServer> context, Kind kind, String ns, String name) {
    var id = new ResourceID(name, ns);
    Optional<String> scope = perNamespaceSources ? Optional.of(ns) : Optional.empty();
    Optional<? extends HasMetadata> object = switch (kind) {
      case ConfigMap -> context.eventSourceRetriever().getEventSourceFor(ConfigMap.class, sourceName(CONFIG_MAPS, scope))
          instanceof InformerEventSource<ConfigMap, ?> es ? es.get(id) : Optional.empty();
      case Secret -> context.eventSourceRetriever().getEventSourceFor(Secret.class, sourceName(SECRETS, scope))
          instanceof InformerEventSource<Secret, ?> es ? es.get(id) : Optional.empty();
    };
    return object.map(o -> o instanceof ConfigMap cm ? digestsOf(cm, EnvSourceWatch::configMapDigests)
        : digestsOf((Secret) o, EnvSourceWatch::secretDigests));
  }

  private static String key(String namespace, String object) {
    return namespace + "/" + object;
  }

  /** The per-key digests of an object, whether it is the full object or the store's lean copy. */
  private static <R extends HasMetadata> Map<String, String> digestsOf(R o, Function<R, Map<String, String>> compute) {
    var annotations = o.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(DIGESTS_ONLY)) {
      Map<String, String> held = o instanceof ConfigMap cm ? cm.getData() : ((Secret) o).getData();
      return held == null ? Map.of() : held;
    }
    return compute.apply(o);
  }

  private static Map<String, String> configMapDigests(ConfigMap cm) {
    Map<String, String> out = new LinkedHashMap<>();
    if (cm.getData() != null) cm.getData().forEach((k, v) -> out.put(k, EnvSources.configMapValueDigest(v)));
    if (cm.getBinaryData() != null) cm.getBinaryData().forEach((k, v) -> out.put(k, EnvSources.configMapValueDigest(v)));
    return out;
  }

  private static Map<String, String> secretDigests(Secret s) {
    String uid = s.getMetadata().getUid();
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) s.getData().forEach((k, v) -> out.put(k, EnvSources.secretValueDigest(uid, v)));
    // stringData is write-only (the API server folds it into data), but a client-side object may carry it.
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> out.put(k, EnvSources.secretValueDigest(uid,
          java.util.Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
    }
    return out;
  }

  private static ObjectMeta leanMeta(ObjectMeta m) {
    var meta = new ObjectMeta();
    meta.setName(m.getName());
    meta.setNamespace(m.getNamespace());
    meta.setUid(m.getUid());
    meta.setResourceVersion(m.getResourceVersion());
    meta.setAnnotations(Map.of(DIGESTS_ONLY, "true"));
    return meta;
  }

  private static ConfigMap leanConfigMap(ConfigMap cm) {
    var lean = new ConfigMap();
    lean.setMetadata(leanMeta(cm.getMetadata()));
    lean.setData(Map.copyOf(digestsOf(cm, EnvSourceWatch::configMapDigests)));
    return lean;
  }

  private static Secret leanSecret(Secret s) {
    var lean = new Secret();
    lean.setMetadata(leanMeta(s.getMetadata()));
    lean.setData(Map.copyOf(digestsOf(s, EnvSourceWatch::secretDigests)));
    return lean;
  }
}
