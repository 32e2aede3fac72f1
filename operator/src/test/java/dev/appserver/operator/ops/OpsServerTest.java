package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsServerTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.of("starting"));
  final HttpClient http = HttpClient.newHttpClient();
  OpsServer server;

  @BeforeEach
  void start() throws Exception {
    server = OpsServer.start(0, registry, notReady::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> send(String method, String path, String accept) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (accept != null) request.header("Accept", accept);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null);
  }

  @Test
  void healthzAnswersAsLongAsTheProcessServes() throws Exception {
    assertThat(server.port()).isPositive();
    var r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
  }

  @Test
  void readyzFollowsReadinessWithTheReason() throws Exception {
    var r = get("/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("not ready: starting\n");
    notReady.set(Optional.empty());
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    notReady.set(Optional.of("shutting down"));
    assertThat(get("/readyz").body()).contains("shutting down");
  }

  @Test
  void metricsInPrometheusTextOrOpenMetrics() throws Exception {
    Counter.builder("appserver.test.things").register(registry).increment(3);
    var text = get("/metrics");
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(text.body()).contains("appserver_test_things_total 3.0");
    var open = send("GET", "/metrics", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
    assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/openmetrics-text"));
    assertThat(open.body()).contains("appserver_test_things_total 3.0").endsWith("# EOF\n");
  }

  @Test
  void otherPathsAndMethodsAreRefused() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/debug").statusCode()).isEqualTo(404);
    var post = send("POST", "/metrics", null);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    var head = send("HEAD", "/healthz", null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }
}
