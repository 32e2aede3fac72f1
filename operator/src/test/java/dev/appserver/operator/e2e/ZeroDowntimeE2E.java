package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero downtime under steady load, through the Service, on real pods: a rolling update, a
 * scale-down, a deleted pod and a blue-green switch. Every request is counted (each on a new
 * connection, so kube-proxy balances it afresh); the goal is 0 failed, and each change prints its
 * request count and p99 latency.
 */
class ZeroDowntimeE2E extends E2ESupport {
  static final int RATE = 150;

  @BeforeEach
  void onTheRealNode() {
    RealNode.assumeReady();
    RealNode.useFor(ns);
  }

  static String spec(int replicas, String strategy, String version) {
    return RealPodsE2E.example(replicas, "500m", "256Mi", """
        env: [{name: RELEASE, value: "%s"}]
        strategy: %s
        """.formatted(version, strategy));
  }

  List<Pod> livePods(String name) {
    return operator.client.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, name).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /** Every pod of the AppServer is Ready, there are {@code n} of them, and kube-proxy sends to exactly those. */
  boolean settled(String name, String clusterIp, int n) {
    var all = operator.client.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, name).list().getItems();
    var live = all.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    Set<String> ips = live.stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
    var programmed = Set.copyOf(RealNode.programmedEndpoints(clusterIp, 80));
    lastState = "pods " + all.stream().map(p -> p.getMetadata().getName() + (RealPodsE2E.ready(p) ? " ready" : " not ready")
        + (p.getMetadata().getDeletionTimestamp() != null ? " terminating" : "")).toList() + ", kube-proxy sends to " + programmed;
    return live.size() == n && all.size() == n && live.stream().allMatch(RealPodsE2E::ready) && programmed.equals(ips);
  }

  /** What settled() saw last, for the message of a timeout. */
  volatile String lastState = "";

  /** Waits until settled(), and until none of the pods named in {@code gone} is left. */
  void awaitSettled(String name, String clusterIp, int n, Set<String> gone, Duration atMost) {
    await().atMost(atMost).untilAsserted(() -> {
      assertThat(settled(name, clusterIp, n)).as("%s settled at %d pods: %s", name, n, lastState).isTrue();
      assertThat(livePods(name)).as("%s: pods that must be gone", name)
          .noneMatch(p -> gone.contains(p.getMetadata().getName()));
    });
  }

  String clusterIp(String name) {
    String ip = operator.client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
    RealNode.requireLocalRoute(ip);
    return ip;
  }

  /** A change made under load: the window from just before it to when everything has settled again. */
  record Phase(String name, long from, long to) {}

  @Test
  void rollingUpdateScaleDownAndDeletedPodDropNoRequest() throws Exception {
    apply(appServer("zd", spec(3, "{type: RollingUpdate}", "1"))).ok();
    waitReady("zd");
    String ip = clusterIp("zd");
    awaitSettled("zd", ip, 3, Set.of(), Duration.ofSeconds(120));
    List<Phase> phases = new ArrayList<>();
    try (var load = LoadGenerator.steady(ip, 80, "/whoami", RATE, Duration.ofSeconds(240)).start()) {
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> load.samples().size() > RATE);
      phases.add(new Phase("steady", load.startNanos(), System.nanoTime()));

      long t0 = System.nanoTime();
      Set<String> before = livePods("zd").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
      apply(appServer("zd", spec(3, "{type: RollingUpdate}", "2"))).ok();
      awaitSettled("zd", ip, 3, before, Duration.ofSeconds(180));
      phases.add(new Phase("rolling update", t0, System.nanoTime()));

      long t1 = System.nanoTime();
      apply(appServer("zd", spec(2, "{type: RollingUpdate}", "2"))).ok();
      awaitSettled("zd", ip, 2, Set.of(), Duration.ofSeconds(90));
      phases.add(new Phase("scale down 3 -> 2", t1, System.nanoTime()));

      long t2 = System.nanoTime();
      String victim = livePods("zd").get(0).getMetadata().getName();
      Kubectl.run("-n", ns, "delete", "pod", victim, "--wait=false").ok();
      awaitSettled("zd", ip, 2, Set.of(victim), Duration.ofSeconds(90));
      phases.add(new Phase("deleted pod", t2, System.nanoTime()));

      load.close();
      report("zd", load.awaitDone(Duration.ofSeconds(30)), phases);
    }
  }

  @Test
  void blueGreenSwitchDropsNoRequest() throws Exception {
    String bg = "{type: BlueGreen, blueGreen: {scaleDownDelaySeconds: 10}}";
    apply(appServer("bg", spec(2, bg, "1"))).ok();
    waitReady("bg");
    String ip = clusterIp("bg");
    awaitSettled("bg", ip, 2, Set.of(), Duration.ofSeconds(120));
    String blue = operator.client.resources(AppServer.class).inNamespace(ns).withName("bg").get()
        .getStatus().getBlueGreen().getActiveColor();
    List<Phase> phases = new ArrayList<>();
    try (var load = LoadGenerator.steady(ip, 80, "/whoami", RATE, Duration.ofSeconds(180)).start()) {
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> load.samples().size() > RATE);
      phases.add(new Phase("steady", load.startNanos(), System.nanoTime()));
      Set<String> bluePods = livePods("bg").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());

      long t0 = System.nanoTime();
      apply(appServer("bg", spec(2, bg, "2"))).ok();
      // The switch, then the old colour scaled away after its delay.
      await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(operator.client.resources(AppServer.class)
          .inNamespace(ns).withName("bg").get().getStatus().getBlueGreen().getActiveColor()).isNotEqualTo(blue));
      awaitSettled("bg", ip, 2, bluePods, Duration.ofSeconds(120));
      phases.add(new Phase("blue-green switch " + blue + " -> new colour, old scaled down", t0, System.nanoTime()));
      load.close();
      var samples = load.awaitDone(Duration.ofSeconds(30));
      var newPods = livePods("bg").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
      assertThat(samples).as("the new colour served through the Service")
          .anyMatch(s -> newPods.stream().anyMatch(n -> s.body().startsWith(n + " ")));
      assertThat(samples).as("the old colour served before the switch")
          .anyMatch(s -> bluePods.stream().anyMatch(n -> s.body().startsWith(n + " ")));
      report("bg", samples, phases);
    }
  }

  /** Prints each phase's figures and asserts: no failed request, a few thousand in all. */
  static void report(String name, List<LoadGenerator.Sample> samples, List<Phase> phases) {
    Map<String, LoadGenerator.Stats> figures = new LinkedHashMap<>();
    for (Phase p : phases) {
      var stats = LoadGenerator.stats(samples, p.from(), p.to());
      figures.put(p.name(), stats);
      System.out.printf("[zero-downtime] %s, %s (%.1f s): %s%n", name, p.name(), (p.to() - p.from()) / 1e9, stats);
    }
    var all = LoadGenerator.stats(samples);
    System.out.printf("[zero-downtime] %s, whole run: %s%n", name, all);
    assertThat(all.requests()).as("requests sent").isGreaterThanOrEqualTo(2000);
    figures.forEach((phase, stats) -> {
      assertThat(stats.requests()).as("requests during %s", phase).isPositive();
      assertThat(stats.failed()).as("failed requests during %s: %s", phase, stats).isZero();
    });
    assertThat(all.failed()).as("failed requests: %s", all).isZero();
  }
}
