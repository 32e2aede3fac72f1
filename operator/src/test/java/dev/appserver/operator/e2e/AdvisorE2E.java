package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AdvisorStatus;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sizing advisor on real pods: an app that waits 50 ms per request, deployed with profile cpu
 * (5 sync workers on 2 cores, so 5 requests at once), under a bounded load through its Service.
 * The operator reads the pods' figures from the real node's Prometheus and must say that the
 * concurrency is far too low, in status, in kubectl get, and as an Event.
 */
class AdvisorE2E extends E2ESupport {
  /** docs/benchmarks.md: on 2 cores, /io (50 ms) throughput peaked at 5 processes x 64 threads. */
  static final int BENCHMARK_BEST = 320;

  String prometheus;

  @BeforeEach
  void onTheRealNode() throws Exception {
    RealNode.assumeReady();
    prometheus = RealNode.env().get("PROMETHEUS_URL");
    Assumptions.assumeTrue(prometheus != null, "the real node runs no Prometheus");
    RealNode.requireLocalRoute(URI.create(prometheus).getHost());
    RealNode.useFor(ns);
    operator.close();
    operator = new OperatorUnderTest(ns, Map.of("PROMETHEUS_URL", prometheus, "ADVISOR_INTERVAL", "5s",
        "ADVISOR_WINDOW", "30s", "ADVISOR_MIN_REQUESTS", "300"));
  }

  AdvisorStatus advisor() {
    var st = appServerResource("waits").getStatus();
    return st == null ? null : st.getAdvisor();
  }

  @Test
  void anAppThatWaitsIsToldToRaiseItsConcurrency() throws Exception {
    apply(appServer("waits", RealPodsE2E.example(1, "2", "512Mi", ""))).ok();
    waitReady("waits");
    String ip = operator.client.services().inNamespace(ns).withName("waits").get().getSpec().getClusterIP();
    RealNode.requireLocalRoute(ip);
    await().atMost(Duration.ofSeconds(60)).until(() -> RealNode.programmedEndpoints(ip, 80).size() == 1);

    AdvisorStatus seen;
    LoadGenerator.Stats stats;
    // 60 requests/s of 50 ms each: 3 of the 5 workers busy on average, unqueued.
    try (var load = LoadGenerator.steady(ip, 80, "/io?ms=50", 60, Duration.ofSeconds(150)).start()) {
      // Figures from a window wholly under load: not the pods' start (the workers' imports are CPU
      // time too), nor the idle seconds before it. The advisor rewrites its figures only when they
      // move by a fifth, so what it holds after a full window under load is from that window.
      Thread.sleep(45_000);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
        var a = advisor();
        return a != null && a.getState() == AdvisorState.MEASURED && a.getRecommendedConcurrency() != null;
      });
      seen = advisor();
      load.close();
      stats = LoadGenerator.stats(load.awaitDone(Duration.ofSeconds(30)));
    }
    assertThat(stats.failed()).as("the load: %s", stats).isZero();
    double ratio = seen.getRecommendedConcurrency() / (double) BENCHMARK_BEST;
    System.out.printf("[advisor] %s under %s%n[advisor] recommended %d per pod = %.2f x the benchmark's best (%d); %s%n",
        seen.getMessage(), stats, seen.getRecommendedConcurrency(), ratio, BENCHMARK_BEST, seen.getSummary());

    assertThat(seen.getConcurrency()).as("profile cpu on 2 cores: 5 sync workers").isEqualTo(5);
    assertThat(seen.getCores()).isEqualTo(2.0);
    assertThat(seen.getWallSecondsPerRequest()).as("Gunicorn's own wall time of a 50 ms wait").isBetween(0.050, 0.080);
    assertThat(seen.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
    assertThat(seen.getRecommendedConcurrency()).as(seen.getMessage()).isGreaterThan(2 * 5);

    // kubectl get shows it, and an Event says it.
    String row = Kubectl.run("-n", ns, "get", "appserver", "waits").ok().out();
    assertThat(row).contains("BUSY%").contains("SIZING").contains("raise concurrency to " + seen.getRecommendedConcurrency());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(Kubectl.run("-n", ns, "get", "events", "--field-selector", "reason=RaiseConcurrency",
            "-o", "jsonpath={.items[*].message}").ok().out()).isNotBlank());

    // The recommendation against the concurrency the benchmark found best for such an app on 2
    // cores is printed above, not asserted: it falls short (docs/sizing.md says why). The advisor
    // divides by the CPU a request costs in the configuration that runs now (sync workers, a new
    // connection per request), which is about three times what it costs in the gthread
    // configuration it recommends, so it recommends less than that configuration could carry.
  }
}
