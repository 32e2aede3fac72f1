package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ConfigMaps and Secrets an AppServer's container reads its environment from
 * ({@code spec.envFrom}, {@code spec.env[].valueFrom}), and one digest of what they hold, put on the
 * pod template so that a change to them rolls the pods like any other change.
 *
 * <p>The digest is built from per-key digests, never from the values themselves: a ConfigMap value
 * is hashed with SHA-256, a Secret value with HMAC-SHA256 keyed by the Secret's UID, so that the
 * annotation on the pod template (readable by anyone who may read Deployments) does not let
 * somebody test guesses of a short secret value offline.
 */
public final class EnvSources {
  public enum Kind { ConfigMap, Secret }

  /**
   * One reference.
   *
   * @param key the key read ({@code env[].valueFrom}), or null for every key ({@code envFrom})
   * @param field where in the spec it is, for messages
   */
  public record Ref(Kind kind, String name, String key, boolean optional, String field) {
    /** "ConfigMap/name", the key of the lookup and of the index of AppServers by source. */
    public String object() {
      return kind + "/" + name;
    }
  }

  /** Hex digits of a per-key digest: as many as {@link GunicornConfig#hash} gives. */
  private static final int DIGEST_HEX = 16;

  private EnvSources() {}

  /** Every ConfigMap and Secret the spec's container reads, in spec order. */
  public static List<Ref> references(AppServerSpec spec) {
    List<Ref> refs = new ArrayList<>();
    List<EnvFromSource> envFrom = spec.getEnvFrom() == null ? List.of() : spec.getEnvFrom();
    for (int i = 0; i < envFrom.size(); i++) {
      var source = envFrom.get(i);
      if (source.getConfigMapRef() != null && source.getConfigMapRef().getName() != null) {
        refs.add(new Ref(Kind.ConfigMap, source.getConfigMapRef().getName(), null,
            Boolean.TRUE.equals(source.getConfigMapRef().getOptional()), "spec.envFrom[" + i + "].configMapRef"));
      }
      if (source.getSecretRef() != null && source.getSecretRef().getName() != null) {
        refs.add(new Ref(Kind.Secret, source.getSecretRef().getName(), null,
            Boolean.TRUE.equals(source.getSecretRef().getOptional()), "spec.envFrom[" + i + "].secretRef"));
      }
    }
    List<EnvVar> env = spec.getEnv() == null ? List.of() : spec.getEnv();
    for (int i = 0; i < env.size(); i++) {
      var from = env.get(i).getValueFrom();
      if (from == null) continue;
      if (from.getConfigMapKeyRef() != null && from.getConfigMapKeyRef().getName() != null) {
        var ref = from.getConfigMapKeyRef();
        refs.add(new Ref(Kind.ConfigMap, ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional()),
            "spec.env[" + i + "].valueFrom.configMapKeyRef"));
      }
      if (from.getSecretKeyRef() != null && from.getSecretKeyRef().getName() != null) {
        var ref = from.getSecretKeyRef();
        refs.add(new Ref(Kind.Secret, ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional()),
            "spec.env[" + i + "].valueFrom.secretKeyRef"));
      }
    }
    return refs;
  }

  /** Whether the spec asks for its pods to roll when a source changes (the default) and reads any. */
  public static boolean rolls(AppServerSpec spec) {
    return !Boolean.FALSE.equals(spec.getRollOnEnvSourceChange()) && !references(spec).isEmpty();
  }

  /**
   * The digest of what the references read, or null when the spec reads no source or opts out.
   *
   * @param keyDigests the per-key digests held for an object ("ConfigMap/name"), empty when it
   *     does not exist (or is not watched: {@code watched} says which kinds are)
   */
  public static String digest(AppServerSpec spec, java.util.Set<Kind> watched,
      Function<String, Optional<Map<String, String>>> keyDigests) {
    if (!rolls(spec)) return null;
    StringBuilder text = new StringBuilder();
    boolean any = false;
    for (Ref ref : references(spec)) {
      if (!watched.contains(ref.kind())) continue;
      any = true;
      text.append(ref.object()).append(ref.key() == null ? "" : "#" + ref.key()).append('=');
      Optional<Map<String, String>> held = keyDigests.apply(ref.object());
      if (held.isEmpty()) {
        text.append("absent");
      } else if (ref.key() == null) {
        new TreeMap<>(held.get()).forEach((k, d) -> text.append(k).append(':').append(d).append(','));
      } else {
        text.append(held.get().getOrDefault(ref.key(), "absent"));
      }
      text.append(';');
    }
    return any ? GunicornConfig.hash(text.toString()) : null;
  }

  /** The per-key digest of a ConfigMap value (data or binaryData, as stored). */
  public static String configMapValueDigest(String value) {
    return GunicornConfig.hash(value == null ? "" : value);
  }

  /** The per-key digest of a Secret value (base64, as stored), keyed by the Secret's UID. */
  public static String secretValueDigest(String uid, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] key = (uid == null || uid.isEmpty() ? "no-uid" : uid).getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] out = mac.doFinal((value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(out).substring(0, DIGEST_HEX);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
