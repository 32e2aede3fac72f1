package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
    return kube.services().inNamespace(ns).withName("web").get().getSpec().getSelector();
  }

  int replicas(String deployment) {
    return deployment(deployment).getSpec().getReplicas();
  }

  void setImage(String image) {
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"image\":\"" + image + "\"}}").ok();
  }

  Set<String> podUids(String color) {
    return kube.pods().inNamespace(ns).withLabel("appserver.dev/color", color).list().getItems().stream()
        .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
  }

  /** Ready endpoints behind the Service, as the EndpointSlice controller reports them. */
  int readyEndpoints(String service) {
    return kube.resources(EndpointSlice.class).inNamespace(ns).withLabel("kubernetes.io/service-name", service)
        .list().getItems().stream()
        .flatMap(s -> s.getEndpoints() == null ? java.util.stream.Stream.empty() : s.getEndpoints().stream())
        .mapToInt(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()) ? 1 : 0).sum();
  }

  /** A Deployment as stored at one resourceVersion. */
  record DeploymentState(long resourceVersion, String name, long generation, int replicas, String image,
      io.fabric8.kubernetes.api.model.apps.DeploymentStatus status) {

    /** Every one of {@code wanted} pods runs {@code image} and is ready and available, and the controller saw this spec. */
    boolean fullyReady(int wanted, String image) {
      return status != null && status.getObservedGeneration() != null && status.getObservedGeneration() >= generation
          && replicas == wanted && image.equals(this.image)
          && Integer.valueOf(wanted).equals(status.getUpdatedReplicas())
          && Integer.valueOf(wanted).equals(status.getReadyReplicas())
          && Integer.valueOf(wanted).equals(status.getAvailableReplicas());
    }
  }

  /** A change of the Service's selector, at its resourceVersion. */
  record Switch(long resourceVersion, String color) {}

  @Test
  void serviceSwitchesOnlyAfterTheNewColourIsFullyReadyThenTheOldScalesDown() {
    apply(blueGreen("example/app:1", "")).ok();
    waitReady("web");
    assertThat(active()).isEqualTo("blue");
    assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
    assertThat(Kubectl.run("-n", ns, "get", "appservers").ok().out()).containsPattern("web\\s+2/2\\s+3\\s+BlueGreen\\s+blue\\s+Ready");
    int wanted = appServerResource("web").getSpec().getReplicas();

    // Every stored state of the Deployments and of the Service's selector, with its resourceVersion.
    // The watches only record (nothing in a callback can fail unseen); the check runs afterwards, on
    // the state each Deployment had when the Service changed: the last one stored before it (one
    // etcd, so resourceVersions of all kinds are in one order).
    List<DeploymentState> deployments = new CopyOnWriteArrayList<>();
    List<Switch> selectors = new CopyOnWriteArrayList<>();
    List<String> watchErrors = new CopyOnWriteArrayList<>();
    try (var deploymentWatch = kube.apps().deployments().inNamespace(ns).watch(new Watcher<Deployment>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        deployments.add(new DeploymentState(Long.parseLong(d.getMetadata().getResourceVersion()), d.getMetadata().getName(),
            d.getMetadata().getGeneration(), d.getSpec().getReplicas(),
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), d.getStatus()));
      }

      @Override
      public void onClose(WatcherException cause) {
        if (cause != null) watchErrors.add("Deployment watch closed: " + cause);
      }
    });
         var serviceWatch = kube.services().inNamespace(ns).withName("web").watch(new Watcher<Service>() {
      @Override
      public void eventReceived(Action action, Service svc) {
        var selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
        selectors.add(new Switch(Long.parseLong(svc.getMetadata().getResourceVersion()),
            selector == null ? "no selector" : String.valueOf(selector.get("appserver.dev/color"))));
      }

      @Override
      public void onClose(WatcherException cause) {
        if (cause != null) watchErrors.add("Service watch closed: " + cause);
      }
    })) {
      setImage("example/app:2");
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(active()).isEqualTo("green"));
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "green");
      assertThat(replicas("web-blue")).as("kept warm during scaleDownDelaySeconds").isEqualTo(2);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(replicas("web-blue")).isZero();
        assertThat(bgPhase()).isEqualTo("Idle");
      });
      // And back: a second switch, to blue with a third revision.
      setImage("example/app:3");
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        assertThat(active()).isEqualTo("blue");
        assertThat(replicas("web-green")).isZero();
        assertThat(bgPhase()).isEqualTo("Idle");
      });
      long last = selectors.get(selectors.size() - 1).resourceVersion();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          deployments.stream().anyMatch(d -> d.resourceVersion() > last));
    }
    assertThat(watchErrors).isEmpty();

    List<Switch> switches = new java.util.ArrayList<>();
    for (Switch s : selectors) {
      if (switches.isEmpty() || !switches.get(switches.size() - 1).color().equals(s.color())) switches.add(s);
    }
    assertThat(switches).extracting(Switch::color).containsExactly("blue", "green", "blue");
    Map<String, String> images = Map.of("green", "example/app:2", "blue", "example/app:3");
    for (Switch s : switches.subList(1, switches.size())) {
      DeploymentState atSwitch = deployments.stream()
          .filter(d -> d.name().equals("web-" + s.color()) && d.resourceVersion() < s.resourceVersion())
          .reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no state of web-" + s.color() + " before the switch at " + s));
      assertThat(atSwitch.fullyReady(wanted, images.get(s.color())))
          .as("the Service moved to %s at resourceVersion %d while its Deployment was %s", s.color(), s.resourceVersion(), atSwitch)
          .isTrue();
    }
    assertThat(deployments).as("the new colour was seen partly ready before a switch (KWOK readies pods one by one)")
        .anySatisfy(d -> {
          assertThat(d.status()).isNotNull();
          assertThat(d.status().getReadyReplicas()).isEqualTo(1);
        });
    assertThat(kube.services().inNamespace(ns).withName("web-preview").get().getSpec().getSelector())
        .containsEntry("appserver.dev/color", "blue");
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

  io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget budget() {
    return kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("web").get();
  }

  @Test
  void disruptionBudgetProtectsTheServingColourAndFollowsTheSwitch() {
    apply(blueGreen("example/app:1", "")).ok();
    waitReady("web");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(budget().getSpec().getSelector().getMatchLabels()).containsEntry("appserver.dev/color", "blue");
      assertThat(budget().getStatus().getExpectedPods()).isEqualTo(2);
    });

    // Green comes up and never becomes ready. A budget over both colours would count its two
    // unready pods against blue (4 expected, 2 healthy, no disruption allowed) and block a drain
    // of the serving colour; the budget over blue alone still allows one.
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"image\":\"example/app:broken\",\"podLabels\":{\"e2e.appserver.dev/never-ready\":\"true\"}}}").ok();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(bgPhase()).isEqualTo("Progressing");
      assertThat(podUids("green")).hasSize(2);
    });
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var st = budget().getStatus();
      assertThat(st.getExpectedPods()).isEqualTo(2);
      assertThat(st.getCurrentHealthy()).isEqualTo(2);
      assertThat(st.getDisruptionsAllowed()).isEqualTo(1);
    });
    assertThat(bgPhase()).as("still rolling out").isEqualTo("Progressing");
    String bluePod = kube.pods().inNamespace(ns).withLabel("appserver.dev/color", "blue").list().getItems().get(0)
        .getMetadata().getName();
    assertThat(kube.pods().inNamespace(ns).withName(bluePod).evict()).as("eviction of a serving pod mid-rollout").isTrue();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(bgPhase()).isEqualTo("Aborted"));

    // A working revision: after the switch the budget covers green, and blue winds down outside it.
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"example/app:3\"},{\"op\":\"remove\",\"path\":\"/spec/podLabels\"}]").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(active()).isEqualTo("green");
      assertThat(budget().getSpec().getSelector().getMatchLabels()).containsEntry("appserver.dev/color", "green");
    });
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(replicas("web-blue")).isZero();
      var st = budget().getStatus();
      assertThat(st.getExpectedPods()).isEqualTo(2);
      assertThat(st.getCurrentHealthy()).isEqualTo(2);
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
  @OperatorAsProcess
  void manualPromotionWaitsForTheAnnotationAndSurvivesAnOperatorCrash() {
    var first = OperatorProcess.start(ns + "-first", OperatorProcess.env("WATCH_NAMESPACES", ns)).awaitReady();
    OperatorProcess second = null;
    OperatorProcess third = null;
    try {
      apply(appServer("web", """
          image: example/app:1
          app: app:app
          strategy:
            type: BlueGreen
            progressDeadlineSeconds: 300
            blueGreen: {scaleDownDelaySeconds: 20, autoPromote: false}
          """)).ok();
      waitReady("web");
      setImage("example/app:2");
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(bgPhase()).isEqualTo("AwaitingPromotion"));
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
      assertThat(kube.services().inNamespace(ns).withName("web-preview").get().getSpec().getSelector())
          .containsEntry("appserver.dev/color", "green");

      // The operator dies mid-rollout (SIGKILL: no shutdown at all). While none runs, the preview
      // Service is deleted: only a new operator that really reconciles brings it back.
      assertThat(first.kill()).as("exit status of a SIGKILL").isEqualTo(137);
      kube.services().inNamespace(ns).withName("web-preview").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> kube.services().inNamespace(ns).withName("web-preview").get() == null);
      second = OperatorProcess.start(ns + "-second", OperatorProcess.env("WATCH_NAMESPACES", ns)).awaitReady();
      var afterRestart = second;
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(kube.services().inNamespace(ns).withName("web-preview").get()).as("preview Service recreated").isNotNull();
        assertThat(afterRestart.metrics()).contains("operator_sdk_reconciliations_success_total{");
      });
      assertThat(kube.services().inNamespace(ns).withName("web-preview").get().getSpec().getSelector())
          .containsEntry("appserver.dev/color", "green");
      assertThat(bgPhase()).isEqualTo("AwaitingPromotion");
      assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
      assertThat(replicas("web-green")).isEqualTo(2);

      Kubectl.run("-n", ns, "annotate", "appserver", "web", "appserver.dev/promote=true").ok();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(active()).isEqualTo("green");
        assertThat(serviceSelector()).containsEntry("appserver.dev/color", "green");
        assertThat(appServerResource("web").getMetadata().getAnnotations()).doesNotContainKey("appserver.dev/promote");
      });

      // Killed again while the old colour waits to be scaled down: only the next operator can do it.
      assertThat(second.kill()).isEqualTo(137);
      assertThat(bgPhase()).isEqualTo("ScalingDown");
      assertThat(replicas("web-blue")).as("still warm when the operator died").isEqualTo(2);
      third = OperatorProcess.start(ns + "-third", OperatorProcess.env("WATCH_NAMESPACES", ns)).awaitReady();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(replicas("web-blue")).isZero();
        assertThat(bgPhase()).isEqualTo("Idle");
      });
      assertThat(third.logs()).contains("AppServer operator started");
    } finally {
      first.close();
      if (second != null) second.close();
      if (third != null) third.close();
    }
  }

  @Test
  void switchingStrategyEitherWayKeepsServing() throws InterruptedException {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    // Ready endpoints behind the Service every 50 ms; a sample that fails is kept as a failure, not lost.
    List<Integer> samples = new CopyOnWriteArrayList<>();
    List<Throwable> sampleFailures = new CopyOnWriteArrayList<>();
    var sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleWithFixedDelay(() -> {
      try {
        samples.add(readyEndpoints("web"));
      } catch (Throwable t) {
        sampleFailures.add(t);
      }
    }, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    int[] samplesAt = new int[2];
    try {
      Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"strategy\":{\"type\":\"BlueGreen\"}}}").ok();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(active()).isEqualTo("blue");
        assertThat(serviceSelector()).containsEntry("appserver.dev/color", "blue");
        assertThat(deployment("web")).as("the RollingUpdate Deployment is replaced once blue serves").isNull();
      });
      samplesAt[0] = samples.size();
      Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\"}}}").ok();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(deployment("web")).isNotNull();
        assertThat(serviceSelector()).doesNotContainKey("appserver.dev/color");
        assertThat(deployment("web-blue")).isNull();
        assertThat(appServerResource("web").getStatus().getBlueGreen()).isNull();
        assertThat(appServerResource("web").getStatus().getPhase()).isEqualTo("Ready");
      });
      samplesAt[1] = samples.size();
    } finally {
      sampler.shutdown();
    }
    assertThat(sampler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(sampleFailures).as("samples that failed").isEmpty();
    assertThat(samplesAt[0]).as("sampled through the switch to BlueGreen").isGreaterThanOrEqualTo(5);
    assertThat(samplesAt[1] - samplesAt[0]).as("sampled through the switch back").isGreaterThanOrEqualTo(5);
    assertThat(samples).as("sampled through both switches").hasSizeGreaterThanOrEqualTo(5);
    assertThat(samples).as("ready endpoints behind the Service throughout").allMatch(n -> n >= 2);
  }

}
