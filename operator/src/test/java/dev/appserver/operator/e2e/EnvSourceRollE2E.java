package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A changed ConfigMap or Secret reaches the running app: on the real node, the pods that read it
 * through envFrom or env[].valueFrom are replaced, and the new ones see the new value, in a
 * rolling update and in a blue-green rollout (where the Service switches to the new colour only
 * once it is ready). An AppServer that reads no source keeps the one pod template it was created
 * with.
 */
class EnvSourceRollE2E extends E2ESupport {
  @BeforeEach
  void onTheRealNode() {
    RealNode.assumeReady();
    RealNode.useFor(ns);
  }

  private List<Pod> pods(String name, String extraLabel) {
    var pods = kube.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, name);
    if (extraLabel != null) pods = pods.withLabel(Names.LABEL_COLOR, extraLabel);
    return pods.list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /** The value of a variable in the app container's environment, as a process started there sees it. */
  private String env(Pod pod, String variable) {
    return Kubectl.run("-n", ns, "exec", pod.getMetadata().getName(), "-c", Names.CONTAINER, "--",
        "python", "-c", "import os; print(os.environ.get('" + variable + "', '<unset>'))").ok().out().strip();
  }

  private void configMap(String greeting) {
    apply("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: greeting}
        data: {GREETING: "%s"}
        """.formatted(greeting)).ok();
  }

  private void secret(String token, String unread) {
    apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: api}
        stringData: {TOKEN: "%s", UNREAD: "%s"}
        """.formatted(token, unread)).ok();
  }

  /** Waits until the AppServer's only ready, running pod sees {@code greeting}, and returns it. */
  private Pod awaitOnePodWith(String name, String variable, String value) {
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).until(() -> {
      var pods = pods(name, null);
      return pods.size() == 1 && RealPodsE2E.ready(pods.get(0)) && value.equals(env(pods.get(0), variable));
    });
    return pods(name, null).get(0);
  }

  @Test
  void aChangedConfigMapOrSecretRollsThePodsThatReadItAndNothingElse() {
    configMap("one");
    secret("s1", "u1");
    apply(appServer("reader", RealPodsE2E.example(1, "500m", "256Mi", """
        envFrom: [{configMapRef: {name: greeting}}]
        env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: api, key: TOKEN}}}]
        """))).ok();
    apply(appServer("plain", RealPodsE2E.example(1, "500m", "256Mi", ""))).ok();
    waitReady("reader");
    waitReady("plain");
    // Both pod templates are the ones of the first apply: the ConfigMap was there before.
    assertThat(deployment("reader").getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(deployment("plain").getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(deployment("plain").getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey(Names.ANNOTATION_ENV_SOURCES_HASH);
    Pod first = awaitOnePodWith("reader", "GREETING", "one");
    assertThat(env(first, "TOKEN")).isEqualTo("s1");
    String plainPod = pods("plain", null).get(0).getMetadata().getName();

    long started = System.nanoTime();
    configMap("two");
    Pod second = awaitOnePodWith("reader", "GREETING", "two");
    double configMapSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(second.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
    assertThat(env(second, "TOKEN")).isEqualTo("s1");
    waitReady("reader");

    started = System.nanoTime();
    secret("s2", "u1");
    Pod third = awaitOnePodWith("reader", "TOKEN", "s2");
    double secretSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(third.getMetadata().getName()).isNotEqualTo(second.getMetadata().getName());
    waitReady("reader");
    long generation = deployment("reader").getMetadata().getGeneration();
    var annotations = deployment("reader").getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations.get(Names.ANNOTATION_ENV_SOURCES_HASH)).hasSize(16);
    assertThat(annotations.values()).noneMatch(v -> v.contains("s2") || v.contains("two"));

    // A key the container does not read, then a label: no new pod template. The later
    // change of replicas proves the operator has reconciled since.
    secret("s2", "u2");
    Kubectl.run("-n", ns, "label", "configmap", "greeting", "team=web").ok();
    Kubectl.run("-n", ns, "scale", "appserver/reader", "--replicas=2").ok();
    await().atMost(Duration.ofSeconds(60)).until(() -> deployment("reader").getSpec().getReplicas() == 2);
    assertThat(deployment("reader").getMetadata().getGeneration()).isEqualTo(generation + 1);
    assertThat(deployment("reader").getSpec().getTemplate().getMetadata().getAnnotations()).isEqualTo(annotations);

    // The AppServer that reads nothing was never touched.
    assertThat(deployment("plain").getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(pods("plain", null)).singleElement().satisfies(p -> assertThat(p.getMetadata().getName()).isEqualTo(plainPod));
    System.out.printf("[env-sources] ConfigMap change -> new pod with the new value in %.1f s; Secret change in %.1f s%n",
        configMapSeconds, secretSeconds);
  }

  @Test
  void blueGreenBringsTheNewValueUpOnTheOtherColourAndSwitchesWhenReady() {
    configMap("one");
    apply(appServer("bg", RealPodsE2E.example(1, "500m", "256Mi", """
        envFrom: [{configMapRef: {name: greeting}}]
        strategy: {type: BlueGreen}
        """))).ok();
    waitReady("bg");
    assertThat(kube.services().inNamespace(ns).withName("bg").get().getSpec().getSelector())
        .containsEntry(Names.LABEL_COLOR, "blue");
    Pod blue = pods("bg", "blue").get(0);
    assertThat(env(blue, "GREETING")).isEqualTo("one");

    configMap("two");
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).until(() ->
        "green".equals(kube.services().inNamespace(ns).withName("bg").get().getSpec().getSelector().get(Names.LABEL_COLOR)));
    var green = pods("bg", "green");
    assertThat(green).isNotEmpty().allSatisfy(p -> {
      assertThat(RealPodsE2E.ready(p)).isTrue();
      assertThat(env(p, "GREETING")).isEqualTo("two");
    });
    // Blue is kept as it was built, with what it read, for a rollback.
    var blueTemplate = deployment("bg-blue").getSpec().getTemplate().getMetadata().getAnnotations();
    var greenTemplate = deployment("bg-green").getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(blueTemplate.get(Names.ANNOTATION_ENV_SOURCES_HASH))
        .isNotEqualTo(greenTemplate.get(Names.ANNOTATION_ENV_SOURCES_HASH));
    waitReady("bg");
  }
}
