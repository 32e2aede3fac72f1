package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gunicorn's own saturation, from a real pod on the real node to a real Prometheus: the pod serves
 * /metrics on its metrics port, Prometheus finds it by the operator's scrape annotations, and N
 * requests in flight read as busy N / capacity. The busyWorkers autoscaler is what the API server
 * stores and the HPA controller acts on.
 */
class MetricsE2E extends E2ESupport {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  String prometheus;

  @BeforeEach
  void onTheRealNode() {
    RealNode.assumeReady();
    prometheus = RealNode.env().get("PROMETHEUS_URL");
    Assumptions.assumeTrue(prometheus != null, "the real node runs no Prometheus");
    RealNode.requireLocalRoute(URI.create(prometheus).getHost());
    RealNode.useFor(ns);
  }

  /** The value of a PromQL query that yields one series, if it yields one. */
  OptionalDouble query(String promql) throws Exception {
    var uri = URI.create(prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    var response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode result = JSON.readTree(response.body()).at("/data/result");
    if (!result.isArray() || result.size() != 1) return OptionalDouble.empty();
    return OptionalDouble.of(Double.parseDouble(result.get(0).at("/value/1").asText()));
  }

  static Map<String, Double> scrape(String ip, int port) {
    var sample = LoadGenerator.request(ip, port, "/metrics", Duration.ofSeconds(5));
    assertThat(sample.status()).as(sample.error()).isEqualTo(200);
    Map<String, Double> values = new LinkedHashMap<>();
    sample.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
      int sp = l.lastIndexOf(' ');
      values.put(l.substring(0, sp), Double.parseDouble(l.substring(sp + 1)));
    });
    return values;
  }

  @Test
  void busyWorkersReachPrometheusFromARealPodAndDriveTheAutoscaler() throws Exception {
    apply(appServer("metered", RealPodsE2E.example(1, "500m", "256Mi", """
        workers: {count: 1, workerClass: gthread, threads: 4}
        autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 3, metric: busyWorkers, targetBusyPercent: 50}
        """))).ok();
    waitReady("metered");
    Pod pod = operator.client.pods().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, "metered").list().getItems().get(0);
    String ip = pod.getStatus().getPodIP();
    String name = pod.getMetadata().getName();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/port", "9464");

    // The pod itself, on its metrics port.
    var direct = scrape(ip, 9464);
    assertThat(direct).containsEntry("gunicorn_capacity", 4.0).containsEntry("gunicorn_requests_in_flight", 0.0);

    // Prometheus found it through the annotations and scrapes it.
    String selector = "{namespace=\"" + ns + "\",pod=\"" + name + "\"}";
    await().atMost(Duration.ofSeconds(60)).until(() -> query("up" + selector).orElse(0) == 1.0);

    long start = System.nanoTime();
    var slow = new ArrayList<CompletableFuture<LoadGenerator.Sample>>();
    for (int i = 0; i < 3; i++) {
      slow.add(CompletableFuture.supplyAsync(() -> LoadGenerator.request(ip, 8000, "/slow?s=12", Duration.ofSeconds(60))));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> scrape(ip, 9464).get("gunicorn_requests_in_flight") == 3.0);
    await().atMost(Duration.ofSeconds(15)).until(() -> query("gunicorn_busy_ratio" + selector).orElse(-1) == 0.75);
    double seen = (System.nanoTime() - start) / 1e9;
    for (var f : slow) assertThat(f.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> query("gunicorn_busy_ratio" + selector).orElse(-1) == 0.0);
    assertThat(query("gunicorn_requests_total" + selector.replace("}", ",code=\"2xx\"}")).orElse(0)).isGreaterThanOrEqualTo(3);

    // The autoscaler the API server stored: the Pods metric at 50 % busy.
    var hpa = operator.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("metered").get();
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo("Pods");
      assertThat(m.getPods().getMetric().getName()).isEqualTo("gunicorn_busy_ratio");
      assertThat(m.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("500m"));
    });
    // The HPA controller asks the custom metrics API for it; this cluster serves none (see
    // docs/autoscaling.md), and the controller says so rather than scaling on a guess.
    List<String> reasons = new ArrayList<>();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      var conditions = operator.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("metered")
          .get().getStatus().getConditions();
      assertThat(conditions).isNotNull().anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("ScalingActive");
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("FailedGetPodsMetric");
        reasons.add(c.getMessage());
      });
    });
    System.out.printf("[metrics] 3 of 4 threads busy: seen by Prometheus %.1f s after the requests started; HPA: %s%n",
        seen, reasons.get(reasons.size() - 1));
  }
}
