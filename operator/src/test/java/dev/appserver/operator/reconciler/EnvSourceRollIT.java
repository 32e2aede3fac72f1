package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EnvSources;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A change to a ConfigMap or Secret that the container reads its environment from changes the pod
 * template (the env-sources digest annotation), in both strategies; a change that the container
 * cannot see (another key, a label) changes nothing; an AppServer that opts out, or reads no
 * source, has no digest at all.
 */
@EnableKubernetesMockClient(crud = true)
class EnvSourceRollIT {
  static KubernetesClient client;

  private Operator operator;
  private final String ns = "it-" + UUID.randomUUID().toString().substring(0, 8);
  private final RecordingEvents events = new RecordingEvents();

  private final String other = "it-" + UUID.randomUUID().toString().substring(0, 8);

  private void start(Set<EnvSources.Kind> kinds) {
    start(kinds, Set.of(ns));
  }

  private void start(Set<EnvSources.Kind> kinds, Set<String> namespaces) {
    var reconciler = new AppServerReconciler(new AppServerValidator(Admission.fromClasspath()), events,
        (m, s, p, t) -> java.util.concurrent.CompletableFuture.completedFuture(new PromotionCheck.Answer(true, "HTTP 200")),
        Clock.systemUTC(), dev.appserver.operator.ops.OperatorMetrics.NOOP, OperatorSettings.NONE.withEnvSourceKinds(kinds),
        dev.appserver.operator.advisor.SizingAdvisor.off());
    operator = MockServer.operator(client);
    operator.register(reconciler, c -> c.settingNamespaces(namespaces));
    operator.start();
  }

  @AfterEach
  void stop() {
    if (operator != null) operator.stop();
    for (String n : List.of(ns, other)) {
      client.resources(AppServer.class).inNamespace(n).delete();
      client.apps().deployments().inNamespace(n).delete();
      client.configMaps().inNamespace(n).delete();
      client.secrets().inNamespace(n).delete();
    }
    client.resources(AppServer.class).inNamespace(ns).delete();
    client.apps().deployments().inNamespace(ns).delete();
    client.configMaps().inNamespace(ns).delete();
    client.secrets().inNamespace(ns).delete();
    client.services().inNamespace(ns).delete();
  }

  private void create(String name, String spec) {
    AppServer appServer = TestAppServers.parse(spec);
    appServer.getMetadata().setNamespace(ns);
    appServer.getMetadata().setName(name);
    client.resource(appServer).create();
  }

  /** A merge patch, as kubectl scale would write: no resourceVersion, so no conflict with status writes. */
  private void scale(String name, int replicas) {
    client.resources(AppServer.class).inNamespace(ns).withName(name).patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private String digest(String deployment) {
    Deployment d = deployment(deployment);
    if (d == null) return "no deployment";
    var annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations.getOrDefault(Names.ANNOTATION_ENV_SOURCES_HASH, "none");
  }

  private void configMap(String name, Map<String, String> data, Map<String, String> labels) {
    client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
        .withData(data).build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private void secret(String name, Map<String, String> plain) {
    Map<String, String> data = new java.util.LinkedHashMap<>();
    plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withData(data).build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private void markRolledOut(String name) {
    MockServer.markRolledOut(client, ns, name);
  }

  @Test
  void aChangedValueRollsAndAChangeThePodCannotSeeDoesNot() {
    start(EnumSet.allOf(EnvSources.Kind.class));
    configMap("settings", Map.of("MODE", "a"), Map.of());
    secret("creds", Map.of("TOKEN", "t1", "UNUSED", "u1"));
    create("web", """
        image: example/app:1
        app: app:app
        envFrom: [{configMapRef: {name: settings}}]
        env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: TOKEN}}}]
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> digest("web").length() == 16);
    String first = digest("web");

    configMap("settings", Map.of("MODE", "b"), Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> !digest("web").equals(first));
    String second = digest("web");

    secret("creds", Map.of("TOKEN", "t2", "UNUSED", "u1"));
    await().atMost(Duration.ofSeconds(30)).until(() -> !digest("web").equals(second));
    String third = digest("web");
    String version = deployment("web").getMetadata().getResourceVersion();

    // A key the container does not read, and a label: the Deployment is left alone.
    secret("creds", Map.of("TOKEN", "t2", "UNUSED", "u2"));
    configMap("settings", Map.of("MODE", "b"), Map.of("team", "x"));
    // A later change that does count proves the two above were seen and passed over.
    configMap("other", Map.of("X", "1"), Map.of());
    scale("web", 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("web").getSpec().getReplicas() == 3);
    assertThat(digest("web")).isEqualTo(third);
    assertThat(deployment("web").getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainValue("t2").doesNotContainValue("b");
    assertThat(version).isNotEqualTo(deployment("web").getMetadata().getResourceVersion());
  }

  @Test
  void aMissingSourceIsReportedAndItsCreationRolls() {
    start(EnumSet.allOf(EnvSources.Kind.class));
    create("web", """
        image: example/app:1
        app: app:app
        envFrom: [{configMapRef: {name: later}}]
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> digest("web").length() == 16);
    String absent = digest("web");
    await().atMost(Duration.ofSeconds(30)).until(() -> events.reasons().contains("EnvSourceNotFound"));
    assertThat(events.messages("EnvSourceNotFound")).singleElement().asString()
        .contains("ConfigMap later (spec.envFrom[0].configMapRef) does not exist");

    configMap("later", Map.of("MODE", "a"), Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> !digest("web").equals(absent));
  }

  @Test
  void optingOutAndReadingNoSourceLeaveTheTemplateWithoutADigest() {
    start(EnumSet.allOf(EnvSources.Kind.class));
    configMap("settings", Map.of("MODE", "a"), Map.of());
    create("quiet", """
        image: example/app:1
        app: app:app
        rollOnEnvSourceChange: false
        envFrom: [{configMapRef: {name: settings}}]
        """);
    create("plain", """
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("quiet") != null && deployment("plain") != null);
    String quiet = deployment("quiet").getMetadata().getResourceVersion();
    configMap("settings", Map.of("MODE", "b"), Map.of());
    scale("quiet", 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("quiet").getSpec().getReplicas() == 3);
    assertThat(digest("quiet")).isEqualTo("none");
    assertThat(digest("plain")).isEqualTo("none");
    assertThat(quiet).isNotEqualTo(deployment("quiet").getMetadata().getResourceVersion());
  }

  @Test
  void withoutTheSecretWatchSecretsDoNotCount() {
    start(EnumSet.of(EnvSources.Kind.ConfigMap));
    secret("creds", Map.of("TOKEN", "t1"));
    create("web", """
        image: example/app:1
        app: app:app
        envFrom: [{secretRef: {name: creds}}]
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("web") != null);
    assertThat(digest("web")).isEqualTo("none");
    assertThat(events.reasons()).doesNotContain("EnvSourceNotFound");
  }

  /** With several namespaces watched, each namespace's sources are found and their changes roll its AppServers. */
  @Test
  void withSeveralNamespacesWatchedEachNamespacesSourcesCount() {
    // Everything exists before the operator starts: both namespaces' informers list it at start.
    for (String n : List.of(ns, other)) {
      client.resource(new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace(n).endMetadata()
          .withData(Map.of("MODE", n)).build()).create();
      AppServer appServer = TestAppServers.parse("""
          image: example/app:1
          app: app:app
          envFrom: [{configMapRef: {name: settings}}]
          """);
      appServer.getMetadata().setNamespace(n);
      appServer.getMetadata().setName("web");
      client.resource(appServer).create();
    }
    start(EnumSet.allOf(EnvSources.Kind.class), Set.of(ns, other));
    await().atMost(Duration.ofSeconds(30)).until(() -> List.of(ns, other).stream().allMatch(n -> {
      var d = client.apps().deployments().inNamespace(n).withName("web").get();
      return d != null && d.getSpec().getTemplate().getMetadata().getAnnotations().containsKey(Names.ANNOTATION_ENV_SOURCES_HASH);
    }));
    // Found in both: neither digest is that of a missing source.
    assertThat(events.reasons()).doesNotContain("EnvSourceNotFound");
    for (String n : List.of(ns, other)) {
      String before = client.apps().deployments().inNamespace(n).withName("web").get()
          .getSpec().getTemplate().getMetadata().getAnnotations().get(Names.ANNOTATION_ENV_SOURCES_HASH);
      client.configMaps().inNamespace(n).withName("settings").edit(cm -> {
        cm.setData(Map.of("MODE", n + "-changed"));
        return cm;
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> !before.equals(client.apps().deployments().inNamespace(n).withName("web")
          .get().getSpec().getTemplate().getMetadata().getAnnotations().get(Names.ANNOTATION_ENV_SOURCES_HASH)));
    }
  }

  @Test
  void blueGreenBringsUpTheOtherColourForAChangedSource() {
    start(EnumSet.allOf(EnvSources.Kind.class));
    configMap("settings", Map.of("MODE", "a"), Map.of());
    create("bg", """
        image: example/app:1
        app: app:app
        envFrom: [{configMapRef: {name: settings}}]
        strategy: {type: BlueGreen}
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("bg-blue") != null);
    markRolledOut("bg-blue");
    String blue = digest("bg-blue");
    configMap("settings", Map.of("MODE", "b"), Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment("bg-green") != null);
    assertThat(digest("bg-green")).hasSize(16).isNotEqualTo(blue);
    // The serving colour is kept as it was built, with the digest of what it read.
    assertThat(digest("bg-blue")).isEqualTo(blue);
  }
}
