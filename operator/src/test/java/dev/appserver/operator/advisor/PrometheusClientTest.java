package dev.appserver.operator.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.appserver.operator.advisor.FakePrometheus.Answer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against recorded answers of a real Prometheus, and the error shapes its API documents. */
class PrometheusClientTest {
  private static final Instant AT = Instant.parse("2026-12-01T17:32:15.311Z");
  private FakePrometheus prometheus;
  private PrometheusClient client;

  @BeforeEach
  void start() throws Exception {
    prometheus = new FakePrometheus();
    client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    prometheus.close();
  }

  private void answer(int status, String body) {
    prometheus.answer = q -> new Answer(status, body);
  }

  @Test
  void anInstantVectorIsReadWithItsLabelsAndValues() throws Exception {
    answer(200, FakePrometheus.recorded("requests.json"));
    var samples = client.query("up", AT);
    assertThat(samples).containsExactly(
        new PrometheusClient.Sample(Map.of("appserver", "web", "namespace", "shop"), 666.6525423728814),
        new PrometheusClient.Sample(Map.of("appserver", "worker", "namespace", "shop"), 50.115265959250095));
  }

  @Test
  void theRequestIsAnInstantQueryAtTheGivenTimeWithATimeout() throws Exception {
    answer(200, FakePrometheus.recorded("empty.json"));
    String query = "sum by (namespace, appserver) (rate(gunicorn_request_duration_seconds_count{appserver!=\"\"}[2m]))";
    assertThat(client.query(query, AT)).isEmpty();
    var request = prometheus.requests.get(0);
    assertThat(request.path()).isEqualTo("/api/v1/query");
    assertThat(request.params()).containsExactly(
        Map.entry("query", query), Map.entry("time", "1796146335.311"), Map.entry("timeout", "5s"));
  }

  @Test
  void aPathPrefixOfTheAddressIsKept() throws Exception {
    try (var prefixed = new FakePrometheus("/prometheus")) {
      prefixed.answer = q -> Answer.ok(FakePrometheus.recorded("empty.json"));
      var c = new PrometheusClient(URI.create(prefixed.url() + "/prometheus/"), Duration.ofSeconds(5));
      assertThat(c.query("up", AT)).isEmpty();
      assertThat(prefixed.requests.get(0).path()).isEqualTo("/prometheus/api/v1/query");
    }
  }

  @Test
  void notANumberAndInfinitiesAreValues() throws Exception {
    answer(200, FakePrometheus.recorded("nan.json"));
    assertThat(client.query("x", AT)).allSatisfy(s -> assertThat(s.value()).isNaN());
    answer(200, """
        {"status":"success","data":{"resultType":"vector","result":[
          {"metric":{},"value":[1796146335.311,"+Inf"]},{"metric":{},"value":[1796146335.311,"-Inf"]}]}}""");
    assertThat(client.query("x", AT)).extracting(PrometheusClient.Sample::value)
        .containsExactly(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  @Test
  void aRefusedQueryCarriesPrometheusOwnReason() {
    answer(400, FakePrometheus.recorded("badquery.json"));
    assertThatThrownBy(() -> client.query("rate(x)", AT))
        .isInstanceOfSatisfying(PrometheusException.class, e -> {
          assertThat(e.summary()).isEqualTo("HTTP 400");
          assertThat(e.getMessage()).contains("answered HTTP 400 (bad_data): invalid parameter \"query\": 1:37: parse error")
              .endsWith(" (query: rate(x))");
        });
  }

  @Test
  void aTimedOutOrFailedEvaluationIsAFailure() {
    // The error shapes of Prometheus' API documentation: 503 when a query times out, 422 when it cannot be executed.
    answer(503, "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in expression evaluation\"}");
    assertThatThrownBy(() -> client.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class, e -> {
      assertThat(e.summary()).isEqualTo("HTTP 503");
      assertThat(e.getMessage()).contains("(timeout): query timed out in expression evaluation");
    });
    answer(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing would load too many samples into memory\"}");
    assertThatThrownBy(() -> client.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class,
        e -> assertThat(e.getMessage()).contains("HTTP 422 (execution): query processing would load too many samples"));
  }

  @Test
  void aRangeResultIsNotAnInstantVector() {
    answer(200, FakePrometheus.recorded("matrix.json"));
    assertThatThrownBy(() -> client.query("gunicorn_capacity[10s]", AT)).isInstanceOfSatisfying(PrometheusException.class, e -> {
      assertThat(e.summary()).isEqualTo("not a query result");
      assertThat(e.getMessage()).contains("a result of type 'matrix', not an instant vector");
    });
  }

  @Test
  void aPageFromAProxyIsNotAQueryResult() {
    answer(200, "<html><body>Sign in to continue</body></html>");
    assertThatThrownBy(() -> client.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class, e -> {
      assertThat(e.summary()).isEqualTo("not a query result");
      assertThat(e.getMessage()).contains("<html><body>Sign in to continue</body></html>");
    });
    answer(502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>");
    assertThatThrownBy(() -> client.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class, e -> {
      assertThat(e.summary()).isEqualTo("HTTP 502");
      assertThat(e.getMessage()).contains("answered HTTP 502: <html> <h1>502 Bad Gateway</h1> </html>");
    });
    answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"many\"]}]}}");
    assertThatThrownBy(() -> client.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class,
        e -> assertThat(e.getMessage()).contains("a sample value that is not a number: many"));
  }

  @Test
  void noAnswerInTimeIsAFailure() {
    prometheus.answer = q -> {
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Answer.ok(FakePrometheus.recorded("empty.json"));
    };
    var impatient = new PrometheusClient(prometheus.url(), Duration.ofMillis(300));
    assertThatThrownBy(() -> impatient.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class,
        e -> assertThat(e.summary()).isEqualTo("no answer (HttpTimeoutException)"));
  }

  @Test
  void nothingListeningIsAFailure() throws Exception {
    int port;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    var nowhere = new PrometheusClient(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2));
    assertThatThrownBy(() -> nowhere.query("x", AT)).isInstanceOfSatisfying(PrometheusException.class,
        e -> assertThat(e.summary()).isEqualTo("no answer (ConnectException)"));
  }
}
