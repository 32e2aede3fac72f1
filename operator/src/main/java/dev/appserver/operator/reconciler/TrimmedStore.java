package dev.appserver.operator.reconciler;

import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the informers' stores keep of each object: only what the operator reads, so 1,000 AppServers
 * and their children fit in a small heap. What the operator reads of a child: its name, labels,
 * annotations, owner references, spec and status, and the managedFields entry of its own
 * server-side applies, against which JOSDK's SSA matcher compares the desired object (the matcher
 * reads no other manager's entry). The entries of other managers (kube-controller-manager's status
 * updates above all) are dropped. ConfigMaps keep a digest of each data value instead of the
 * value ({@link #digestData}); their dependent compares digests (JOSDK creates and matches
 * ConfigMaps without server-side apply, so no managedFields entry of theirs is read). AppServers
 * keep no managedFields at all (the operator patches their status with a fresh object and never
 * compares them) and no {@code kubectl.kubernetes.io/last-applied-configuration}, a second copy
 * of the spec.
 *
 * <p>The stores are JOSDK's {@link TransformingItemStore} with these functions. A function changes
 * the object in place: it is the one the informer has just deserialised from a list or watch
 * event, which nothing else holds yet (the event handlers that get it read its metadata only).
 */
public final class TrimmedStore {
  /** The field manager of the operator's applies: JOSDK's default, the controller's name. */
  public static final String FIELD_MANAGER = Names.OPERATOR;
  static final String APPLY = "Apply";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  /** Starts a digested data value; a Gunicorn configuration never starts with a NUL character. */
  static final String DIGEST_PREFIX = "\0sha256:";

  /**
   * Whether an informer over these namespaces (none: all) can have a store of its own. JOSDK gives
   * the one configured store to the informer of each namespace, and an informer that relists
   * removes from its store what its namespace no longer holds, so with several namespaces the
   * informers would empty each other's caches: those keep the client's own untrimmed store.
   */
  public static boolean usable(Collection<String> namespaces) {
    return namespaces.size() <= 1;
  }

  private TrimmedStore() {}

  /** A store that keeps what {@code trim} leaves of each object. */
  public static <R extends HasMetadata> ItemStore<R> of(UnaryOperator<R> trim) {
    return new TransformingItemStore<>(trim);
  }

  /** Keeps only the managedFields entry of the operator's own applies. */
  public static <R extends HasMetadata> R ownManagedFieldsOnly(R obj) {
    var meta = obj.getMetadata();
    if (meta == null || meta.getManagedFields() == null || meta.getManagedFields().isEmpty()) return obj;
    List<ManagedFieldsEntry> own = meta.getManagedFields().stream()
        .filter(f -> FIELD_MANAGER.equals(f.getManager()) && APPLY.equals(f.getOperation()))
        .toList();
    if (own.size() != meta.getManagedFields().size()) meta.setManagedFields(own.isEmpty() ? List.of() : List.copyOf(own));
    return obj;
  }

  /** No managedFields and no client-side apply copy of the object. */
  public static <R extends HasMetadata> R noManagedFields(R obj) {
    var meta = obj.getMetadata();
    if (meta == null) return obj;
    if (meta.getManagedFields() != null && !meta.getManagedFields().isEmpty()) meta.setManagedFields(List.of());
    if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(LAST_APPLIED)) {
      var annotations = new LinkedHashMap<>(meta.getAnnotations());
      annotations.remove(LAST_APPLIED);
      meta.setAnnotations(annotations);
    }
    return obj;
  }

  /** The ConfigMap with each data value replaced by its digest, in place; digested values stay as they are. */
  public static ConfigMap digestDataInPlace(ConfigMap cm) {
    ownManagedFieldsOnly(cm);
    if (cm.getData() != null && !cm.getData().isEmpty()) cm.setData(digests(cm.getData()));
    return cm;
  }

  /** A copy of the ConfigMap whose data values are digests (for comparing with a digested cached one). */
  public static ConfigMap digestData(ConfigMap cm) {
    if (cm.getData() == null || cm.getData().isEmpty()) return cm;
    return new ConfigMapBuilder(cm).withData(digests(cm.getData())).build();
  }

  /** True when the value is a digest made by {@link #digest}. */
  public static boolean isDigest(String value) {
    return value != null && value.startsWith(DIGEST_PREFIX);
  }

  static String digest(String value) {
    if (value == null || isDigest(value)) return value;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return DIGEST_PREFIX + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static Map<String, String> digests(Map<String, String> data) {
    var out = new LinkedHashMap<String, String>(data.size() * 2);
    data.forEach((k, v) -> out.put(k, digest(v)));
    return out;
  }
}
