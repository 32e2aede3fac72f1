package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appserver.operator.model.Names;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Autoscaling on Gunicorn's busy workers, end to end on the real node: real pods of an I/O-bound
 * app (each request waits {@value #WAIT_MS} ms and uses almost no CPU), the real node's Prometheus
 * scraping them, KEDA (hack/keda.sh: its operator and metrics server, built from KEDA's module)
 * querying it for the ScaledObject the operator wrote, and the cluster's HPA controller scaling
 * the AppServer through its scale subresource. Load comes in steps of concurrent clients through
 * the Service: first on one pod without autoscaling, to show what queueing costs; then with it,
 * where the AppServer must scale out while the clients are still within its capacity, so that the
 * heavier step that follows does not queue; then the load stops and it must scale back in.
 */
class AutoscalingE2E extends E2ESupport {
  static final int WAIT_MS = 400;
  static final String PATH = "/io?ms=" + WAIT_MS;
  /** Threads per pod: the pod serves 4 requests at once; a fifth waits. */
  static final int CAPACITY = 4;
  /** Slower than this, a request waited behind another (which takes twice the wait). */
  static final double P99_BOUND_MS = WAIT_MS * 1.5;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  String prometheus;

  @BeforeEach
  void onTheRealNodeWithKeda() throws Exception {
    RealNode.assumeReady();
    prometheus = RealNode.env().get("PROMETHEUS_URL");
    Assumptions.assumeTrue(prometheus != null, "the real node runs no Prometheus");
    RealNode.requireLocalRoute(URI.create(prometheus).getHost());
    RealNode.useFor(ns);
    // make test-e2e starts KEDA whenever the real node is up.
    Process keda = new ProcessBuilder(Kubectl.repoRoot().resolve("hack/keda.sh").toString(), "status").start();
    assertThat(keda.waitFor(60, TimeUnit.SECONDS) && keda.exitValue() == 0)
        .as("KEDA runs on the local cluster (hack/keda.sh up)").isTrue();
    operator.close();
    operator = new OperatorUnderTest(ns, Map.of("PROMETHEUS_URL", prometheus));
  }

  static String spec(boolean autoscaling) {
    return RealPodsE2E.example(1, "500m", "256Mi", """
        workers: {count: 1, workerClass: gthread, threads: %d}
        autoscaling: {enabled: %s, engine: keda, metric: busyWorkers, minReplicas: 1, maxReplicas: 3,
                      targetBusyPercent: 50, scaleDownStabilizationSeconds: 15}
        """.formatted(CAPACITY, autoscaling));
  }

  OptionalDouble query(String promql) {
    try {
      var uri = URI.create(prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
      var response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode result = JSON.readTree(response.body()).at("/data/result");
      if (!result.isArray() || result.size() != 1) return OptionalDouble.empty();
      return OptionalDouble.of(Double.parseDouble(result.get(0).at("/value/1").asText()));
    } catch (Exception e) {
      return OptionalDouble.empty();
    }
  }

  int desiredReplicas() {
    Integer r = appServerResource("surge").getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  long readyPods() {
    return operator.client.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, "surge").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).filter(RealPodsE2E::ready).count();
  }

  /** {@code clients} requests in flight at all times (one thread each, back to back), bounded in count and time. */
  static LoadGenerator clients(String ip, int clients, Duration atMost) {
    int perSecond = clients * 1000 / WAIT_MS + 1;
    return new LoadGenerator(ip, 80, PATH, clients, perSecond * 4, (int) (perSecond * 2 * atMost.toSeconds()) + 10, atMost,
        Duration.ofSeconds(30));
  }

  /** The clients keep going for {@code wall} of wall-clock time, then stop; the requests in flight finish. */
  static List<LoadGenerator.Sample> runFor(LoadGenerator load, Duration wall) throws InterruptedException {
    Thread.sleep(wall.toMillis());
    load.close();
    return load.awaitDone(Duration.ofSeconds(30));
  }

  static double share(List<LoadGenerator.Sample> samples, double overMillis) {
    return samples.isEmpty() ? 0 : samples.stream().filter(x -> x.millis() > overMillis).count() / (double) samples.size();
  }

  record Tick(double t, int clients, String busy, int desired, long ready, String p99) {}

  @Test
  void anIoBoundAppScalesOutOnBusyWorkersBeforeItsRequestsQueueAndBackInAfterwards() throws Exception {
    apply(appServer("surge", spec(false))).ok();
    waitReady("surge");
    String ip = operator.client.services().inNamespace(ns).withName("surge").get().getSpec().getClusterIP();
    RealNode.requireLocalRoute(ip);
    await().atMost(Duration.ofSeconds(60)).until(() -> RealNode.programmedEndpoints(ip, 80).size() == 1);
    String busy = "avg(gunicorn_busy_ratio{namespace=\"" + ns + "\",appserver=\"surge\"})";
    await().atMost(Duration.ofSeconds(60)).until(() -> query(busy).isPresent());

    // The timeline, every 5 s, while the test runs.
    long t0 = System.nanoTime();
    AtomicInteger clientsNow = new AtomicInteger();
    List<LoadGenerator> generators = new CopyOnWriteArrayList<>();
    List<Tick> timeline = new CopyOnWriteArrayList<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ticker.scheduleAtFixedRate(() -> {
      try {
        long now = System.nanoTime();
        List<LoadGenerator.Sample> recent = new ArrayList<>();
        for (var g : generators) recent.addAll(g.samples().stream().filter(s -> s.doneNanos() > now - 5_000_000_000L).toList());
        var stats = LoadGenerator.stats(recent);
        timeline.add(new Tick((now - t0) / 1e9, clientsNow.get(),
            query(busy).stream().mapToObj(v -> "%.2f".formatted(v)).findFirst().orElse("-"),
            desiredReplicas(), readyPods(), recent.isEmpty() ? "-" : "%.0f".formatted(stats.p99Millis())));
      } catch (RuntimeException e) {
        timeline.add(new Tick((System.nanoTime() - t0) / 1e9, clientsNow.get(), "error: " + e.getMessage(), -1, -1, "-"));
      }
    }, 0, 5, TimeUnit.SECONDS);

    try {
      // 1. No autoscaling, one pod, 6 clients on 4 threads: requests queue.
      clientsNow.set(6);
      LoadGenerator.Stats queued;
      List<LoadGenerator.Sample> queuedSamples;
      try (var load = clients(ip, 6, Duration.ofSeconds(20)).start()) {
        generators.add(load);
        long from = load.startNanos() + 5_000_000_000L;
        queuedSamples = runFor(load, Duration.ofSeconds(20)).stream().filter(x -> x.sentNanos() >= from).toList();
        queued = LoadGenerator.stats(queuedSamples);
      }
      clientsNow.set(0);
      assertThat(queued.failed()).as("queued: %s", queued).isZero();
      assertThat(queued.p99Millis()).as("6 clients on %d threads wait for each other: %s", CAPACITY, queued)
          .isGreaterThan(P99_BOUND_MS);

      // 2. Autoscaling on (KEDA's ScaledObject), 3 clients: within the one pod's capacity, but
      //    75 % busy against a 50 % target. It must scale out while they are served unqueued.
      apply(appServer("surge", spec(true))).ok();
      long autoscaledFrom = System.nanoTime();
      await().atMost(Duration.ofSeconds(60)).until(() ->
          Kubectl.run("-n", ns, "get", "hpa", "keda-hpa-surge").exitCode() == 0);
      long scaledAt;
      LoadGenerator.Stats before;
      clientsNow.set(3);
      try (var load = clients(ip, 3, Duration.ofSeconds(240)).start()) {
        generators.add(load);
        await().atMost(Duration.ofSeconds(200)).pollInterval(Duration.ofSeconds(1)).until(() ->
            readyPods() >= 2 && RealNode.programmedEndpoints(ip, 80).size() >= 2);
        scaledAt = System.nanoTime();
        before = LoadGenerator.stats(load.samples(), load.startNanos(), scaledAt);
      }
      assertThat(before.failed()).as("3 clients until scaled out: %s", before).isZero();
      assertThat(before.p99Millis()).as("3 clients within capacity until scaled out: %s", before).isLessThan(P99_BOUND_MS);

      // 3. The heavier step, 6 clients: the AppServer grows to what keeps it at the target (3 pods
      //    of 4 threads at 50 %), and once it has, requests no longer queue. kube-proxy picks a pod
      //    at random for every connection, so now and then one pod still gets a fifth request at
      //    once: the share of slow requests is what tells queueing apart.
      clientsNow.set(6);
      LoadGenerator.Stats after;
      double slowShare;
      try (var load = clients(ip, 6, Duration.ofSeconds(300)).start()) {
        generators.add(load);
        await().atMost(Duration.ofSeconds(200)).pollInterval(Duration.ofSeconds(1)).until(() ->
            desiredReplicas() == 3 && readyPods() == 3 && RealNode.programmedEndpoints(ip, 80).size() == 3);
        long settled = System.nanoTime();
        Thread.sleep(20_000);
        load.close();
        var window = load.samples().stream().filter(x -> x.sentNanos() >= settled).toList();
        after = LoadGenerator.stats(window);
        slowShare = share(window, P99_BOUND_MS);
        load.awaitDone(Duration.ofSeconds(30));
      }
      clientsNow.set(0);
      double queuedShare = share(queuedSamples, P99_BOUND_MS);
      assertThat(after.failed()).as("6 clients, autoscaled: %s", after).isZero();
      assertThat(after.p50Millis()).as("6 clients on the scaled-out AppServer: %s", after).isLessThan(P99_BOUND_MS);
      assertThat(slowShare).as("share of requests over %.0f ms on 3 pods (%s), against %.1f %% on one pod",
          P99_BOUND_MS, after, queuedShare * 100).isLessThan(0.02);
      assertThat(queuedShare).as("share over %.0f ms on one pod without autoscaling", P99_BOUND_MS).isGreaterThan(0.2);

      // 4. No load: back to one pod (busiest minute + KEDA's polling + the 15 s stabilization).
      long idleFrom = System.nanoTime();
      await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(2)).until(() ->
          desiredReplicas() == 1 && readyPods() == 1);
      double scaleIn = (System.nanoTime() - idleFrom) / 1e9;

      System.out.printf("[autoscaling] 6 clients, 1 pod, no autoscaling: %s%n", queued);
      System.out.printf("[autoscaling] 3 clients until scaled out (%.0f s after autoscaling was turned on): %s%n",
          (scaledAt - autoscaledFrom) / 1e9, before);
      System.out.printf("[autoscaling] 6 clients on 3 pods, once scaled: %s; over %.0f ms: %.2f %% (one pod: %.1f %%)%n",
          after, P99_BOUND_MS, slowShare * 100, queuedShare * 100);
      System.out.printf("[autoscaling] back to 1 pod %.0f s after the load stopped%n", scaleIn);
    } finally {
      ticker.shutdownNow();
      generators.forEach(LoadGenerator::close);
      System.out.println("[autoscaling] timeline: t(s) clients busy desired ready p99(ms, last 5 s)");
      for (Tick t : timeline) {
        System.out.printf("[autoscaling] %6.0f %3d %6s %3d %3d %6s%n", t.t(), t.clients(), t.busy(), t.desired(), t.ready(), t.p99());
      }
    }
  }
}
