package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.model.EnvSources.Kind;
import dev.appserver.operator.model.EnvSources.Ref;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvSourcesTest {
  private static final EnumSet<Kind> BOTH = EnumSet.allOf(Kind.class);

  private static final String READS_BOTH = """
      image: example/app:1
      app: app:app
      envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds, optional: true}}]
      env:
        - {name: A, value: plain}
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}
        - {name: MODE, valueFrom: {configMapKeyRef: {name: flags, key: mode, optional: true}}}
      """;

  @Test
  void findsEveryReferenceWithWhereItIs() {
    var refs = EnvSources.references(TestAppServers.parse(READS_BOTH).getSpec());
    assertThat(refs).containsExactly(
        new Ref(Kind.ConfigMap, "settings", null, false, "spec.envFrom[0].configMapRef"),
        new Ref(Kind.Secret, "creds", null, true, "spec.envFrom[1].secretRef"),
        new Ref(Kind.Secret, "api", "token", false, "spec.env[1].valueFrom.secretKeyRef"),
        new Ref(Kind.ConfigMap, "flags", "mode", true, "spec.env[2].valueFrom.configMapKeyRef"));
  }

  @Test
  void noSourceOrOptingOutMeansNoDigest() {
    var plain = TestAppServers.parse("image: example/app:1\napp: app:app\n").getSpec();
    assertThat(EnvSources.digest(plain, BOTH, o -> Optional.of(Map.of()))).isNull();
    var optedOut = TestAppServers.parse(READS_BOTH + "rollOnEnvSourceChange: false\n").getSpec();
    assertThat(EnvSources.rolls(optedOut)).isFalse();
    assertThat(EnvSources.digest(optedOut, BOTH, o -> Optional.of(Map.of("k", "d")))).isNull();
  }

  @Test
  void theDigestFollowsWhatTheContainerReadsAndOnlyThat() {
    var spec = TestAppServers.parse(READS_BOTH).getSpec();
    Map<String, Map<String, String>> held = new LinkedHashMap<>();
    held.put("ConfigMap/settings", Map.of("X", "1", "Y", "2"));
    held.put("Secret/api", Map.of("token", "t", "other", "o"));
    String base = EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)));
    assertThat(base).hasSize(16);

    // Key order in the object does not matter.
    held.put("ConfigMap/settings", new LinkedHashMap<>(Map.of("Y", "2", "X", "1")));
    assertThat(EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)))).isEqualTo(base);
    // A key that env[] does not read does not matter.
    held.put("Secret/api", Map.of("token", "t", "other", "changed"));
    assertThat(EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)))).isEqualTo(base);
    // A key that envFrom reads does, and so does the key env[] reads.
    held.put("ConfigMap/settings", Map.of("X", "1", "Y", "3"));
    String changed = EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)));
    assertThat(changed).isNotEqualTo(base);
    held.put("Secret/api", Map.of("token", "t2", "other", "changed"));
    assertThat(EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)))).isNotEqualTo(changed);
    // An optional source appearing changes it too: the container's environment changes.
    String before = EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)));
    held.put("Secret/creds", Map.of("P", "p"));
    assertThat(EnvSources.digest(spec, BOTH, o -> Optional.ofNullable(held.get(o)))).isNotEqualTo(before);
  }

  @Test
  void unwatchedKindsDoNotCount() {
    var spec = TestAppServers.parse(READS_BOTH).getSpec();
    Map<String, Map<String, String>> held = new LinkedHashMap<>(Map.of("Secret/api", Map.of("token", "t")));
    String configMapsOnly = EnvSources.digest(spec, EnumSet.of(Kind.ConfigMap), o -> Optional.ofNullable(held.get(o)));
    held.put("Secret/api", Map.of("token", "t2"));
    assertThat(EnvSources.digest(spec, EnumSet.of(Kind.ConfigMap), o -> Optional.ofNullable(held.get(o))))
        .isEqualTo(configMapsOnly);
    var secretsOnly = TestAppServers.parse("image: example/app:1\napp: app:app\nenvFrom: [{secretRef: {name: s}}]\n").getSpec();
    assertThat(EnvSources.digest(secretsOnly, EnumSet.of(Kind.ConfigMap), o -> Optional.of(Map.of()))).isNull();
  }

  @Test
  void secretValuesAreKeyedByTheSecretsUid() {
    String value = "c2VjcmV0"; // "secret"
    assertThat(EnvSources.secretValueDigest("uid-1", value)).hasSize(16)
        .isEqualTo(EnvSources.secretValueDigest("uid-1", value))
        .isNotEqualTo(EnvSources.secretValueDigest("uid-2", value))
        .isNotEqualTo(EnvSources.configMapValueDigest(value));
  }
}
