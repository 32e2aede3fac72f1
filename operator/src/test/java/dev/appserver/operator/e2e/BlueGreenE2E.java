package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Blue-green updates on the local control plane, driven with kubectl as users would. */
class BlueGreenE2E extends E2ESupport {

  String blueGreen(String image, String extra) {
    return appServer("web", """
        image: %s
        app: app:app
        strategy:
          type: BlueGreen
          progressDeadlineSeconds: 20
          blueGreen: {scaleDownDelaySeconds: 5%s}
        """.formatted(image, extra));
  }

  String active() {
    var st = appServerResource("web").getStatus();
    return st == null || st.getBlueGreen() == null ? null : st.getBlueGreen().getActiveColor();
  }

  String bgPhase() {
    var st = appServerResource("web").getStatus();
    return st == null || st.getBlueGreen() == null ? null : st.getBlueGreen().getPhase();
  }

  Map<String, String> serviceSelector() {
    return operator.client.services().inNamespace(ns).withName("web").get().getSpec().getSelector();
  }

  int replicas(String deployment) {
    return deployment(deployment).getSpec().getReplicas();
  }

  void setImage(String image) {
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"image\":\"" + image + "\"}}").ok();
  }

  Set<String> podUids(String color) {
    return operator.client.pods().inNamespace(ns).withLabel("appserver.dev/color", color).list().getItems().stream()
        .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
  }

  /** Ready endpoints behind the Service, as the EndpointSlice controller reports them. */
  int readyEndpoints(String service) {
    return operator.client.resources(EndpointSlice.class).inNamespace(ns).withLabel("kubernetes.io/service-name", service)
        .list().getItems().stream()
        .flatMap(s -> s.getEndpoints() == null ? java.util.stream.Stream.empty() : s.getEndpoints().stream())
        .mapToInt(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()) ? 1 : 0).sum();
  }

  @Test
  void serviceSwitchesOnlyAfterTheNewColourIsFullyReadyThenTheOldScalesDown() {
    apply(blueGreen("example/app:1", "")).ok();
    waitReady("web");
    assertThat(active()).isEqualTo("blue");
    assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    assertThat(Kubectl.run("-n", ns, "get", "appservers").ok().out()).containsPattern("web\\s+2/2\\s+3\\s+BlueGreen\\s+blue\\s+Ready");

    // Every time the Service's selector changes, look at the colour it now selects.
    List<String> violations = new CopyOnWriteArrayList<>();
    List<String> switches = new CopyOnWriteArrayList<>();
    try (var watch = operator.client.services().inNamespace(ns).withName("web").watch(new Watcher<Service>() {
      @Override
      public void eventReceived(Action action, Service svc) {
        String color = svc.getSpec().getSelector().get("appserver.dev/color");
        if (switches.isEmpty() || !switches.get(switches.size() - 1).equals(color)) {
          switches.add(color);
          var d = deployment("web-" + color);
          var st = d.getStatus();
          if (st == null || st.getReadyReplicas() == null || st.getReadyReplicas() < 2 || st.getUpdatedReplicas() < 2
              || !d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().equals(
                  "green".equals(color) ? "example/app:2" : "example/app:1")) {
            violations.add("service moved to " + color + " while its Deployment reported " + st);
          }
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      setImage("example/app:2");
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(active()).isEqualTo("green"));
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "green");
      assertThat(replicas("web-blue")).as("kept warm during scaleDownDelaySeconds").isEqualTo(2);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(replicas("web-blue")).isZero();
        assertThat(bgPhase()).isEqualTo("Idle");
      });
    }
    assertThat(switches).containsSubsequence("blue", "green");
    assertThat(violations).isEmpty();
    assertThat(operator.client.services().inNamespace(ns).withName("web-preview").get().getSpec().getSelector())
        .containsEntry("appserver.dev/color", "green");
    String events = Kubectl.run("-n", ns, "get", "events", "--field-selector", "involvedObject.name=web", "-o",
        "custom-columns=REASON:.reason").ok().out();
    assertThat(events).contains("RolloutStarted", "Promoted", "ScaledDown");
  }

  @Test
  void aRevisionThatNeverBecomesReadyIsAbandonedWithTheOldColourServing() {
    apply(blueGreen("example/app:1", "")).ok();
    waitReady("web");
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"image\":\"example/app:broken\",\"podLabels\":{\"e2e.appserver.dev/never-ready\":\"true\"}}}").ok();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(bgPhase()).isEqualTo("Progressing"));
    assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(bgPhase()).isEqualTo("Aborted"));
    var status = appServerResource("web").getStatus();
    assertThat(status.getPhase()).isEqualTo("Degraded");
    assertThat(status.getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Degraded");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("RolloutAborted");
      assertThat(c.getMessage()).contains("not ready within 20s", "blue keeps serving");
    });
    assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    assertThat(readyEndpoints("web")).isEqualTo(2);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(replicas("web-green")).isZero());
    assertThat(Kubectl.run("-n", ns, "get", "events", "--field-selector", "involvedObject.name=web,type=Warning", "-o",
        "custom-columns=REASON:.reason").ok().out()).contains("RolloutAborted");

    // A later spec change starts again.
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"example/app:3\"},{\"op\":\"remove\",\"path\":\"/spec/podLabels\"}]").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(active()).isEqualTo("green");
      assertThat(appServerResource("web").getStatus().getPhase()).isEqualTo("Ready");
    });
  }

  @Test
  void revertingInsideTheScaleDownWindowSwitchesBackWithNoNewPods() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen, blueGreen: {scaleDownDelaySeconds: 300}}
        """)).ok();
    waitReady("web");
    setImage("example/app:2");
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      assertThat(active()).isEqualTo("green");
      assertThat(bgPhase()).isEqualTo("ScalingDown");
    });
    Set<String> bluePods = podUids("blue");
    assertThat(bluePods).hasSize(2);
    setImage("example/app:1");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(active()).isEqualTo("blue");
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    });
    assertThat(podUids("blue")).as("the same blue pods serve again").isEqualTo(bluePods);
    assertThat(Kubectl.run("-n", ns, "get", "events", "--field-selector", "involvedObject.name=web", "-o",
        "custom-columns=REASON:.reason").ok().out()).contains("RolledBack");
  }

  @Test
  void manualPromotionWaitsForTheAnnotationAndSurvivesAnOperatorRestart() throws Exception {
    apply(blueGreen("example/app:1", ", autoPromote: false")).ok();
    waitReady("web");
    setImage("example/app:2");
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(bgPhase()).isEqualTo("AwaitingPromotion"));
    assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    assertThat(operator.client.services().inNamespace(ns).withName("web-preview").get().getSpec().getSelector())
        .containsEntry("appserver.dev/color", "green");

    // The operator dies mid-rollout; a new one reads the state back from the cluster.
    operator.close();
    operator = new OperatorUnderTest(RESYNC);
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(bgPhase()).isEqualTo("AwaitingPromotion");
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
      assertThat(replicas("web-green")).isEqualTo(2);
    });

    Kubectl.run("-n", ns, "annotate", "appserver", "web", "appserver.dev/promote=true").ok();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(active()).isEqualTo("green");
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "green");
      assertThat(appServerResource("web").getMetadata().getAnnotations()).doesNotContainKey("appserver.dev/promote");
    });

    // Killed again while the old colour waits to be scaled down: the new operator still does it.
    operator.close();
    operator = new OperatorUnderTest(RESYNC);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(replicas("web-blue")).isZero();
      assertThat(bgPhase()).isEqualTo("Idle");
    });
  }

  @Test
  void switchingStrategyEitherWayKeepsServing() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    AtomicBoolean sampling = new AtomicBoolean(true);
    List<Integer> samples = new CopyOnWriteArrayList<>();
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        samples.add(readyEndpoints("web"));
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
      }
    });
    sampler.start();
    try {
      Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"strategy\":{\"type\":\"BlueGreen\"}}}").ok();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(active()).isEqualTo("blue");
        assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
        assertThat(deployment("web")).as("the RollingUpdate Deployment is replaced once blue serves").isNull();
      });
      Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\"}}}").ok();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(deployment("web")).isNotNull();
        assertThat(serviceSelector()).doesNotContainKey("appserver.dev/color");
        assertThat(deployment("web-blue")).isNull();
        assertThat(appServerResource("web").getStatus().getBlueGreen()).isNull();
        assertThat(appServerResource("web").getStatus().getPhase()).isEqualTo("Ready");
      });
    } finally {
      sampling.set(false);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> !sampler.isAlive());
    assertThat(samples).as("sampled through both switches").hasSizeGreaterThanOrEqualTo(5);
    assertThat(samples).as("ready endpoints behind the Service throughout").allMatch(n -> n >= 2);
  }

}
