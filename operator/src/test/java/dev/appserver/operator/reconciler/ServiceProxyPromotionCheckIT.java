package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-promotion check against a real HTTP server on 127.0.0.1 standing in for the API server:
 * the request it sends (the service proxy path of the preview Service's {@code http} port, with the
 * client's credentials) and how it reads the answer.
 */
class ServiceProxyPromotionCheckIT {
  private static final String PROXY = "/api/v1/namespaces/shop/services/web-preview:http/proxy";

  record Seen(String method, String uri, String authorization) {}

  private HttpServer server;
  private KubernetesClient client;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Holds the slow answer until the test ends. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final AppServerModel model = TestAppServers.model("""
      image: example/app:1
      app: app:app
      strategy: {type: BlueGreen}
      """);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
          exchange.getRequestHeaders().getFirst("Authorization")));
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case PROXY + "/health" -> answer(exchange, 200, "ok");
        case PROXY + "/created" -> answer(exchange, 204, "");
        case PROXY + "/unhealthy" -> answer(exchange, 503, "not yet");
        case PROXY + "/moved" -> answer(exchange, 304, "");
        case PROXY + "/slow" -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(exchange, 200, "too late");
        }
        default -> answer(exchange, 404, "no such path");
      }
    });
    server.start();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
        .withOauthToken("operator-token")
        .withRequestRetryBackoffLimit(0)
        .build()).build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
    server.stop(0);
  }

  private static void answer(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private PromotionCheck.Answer answer(String path, int timeoutSeconds) {
    return new ServiceProxyPromotionCheck(client).start(model, "web-preview", path, timeoutSeconds).toCompletableFuture().join();
  }

  private boolean check(String path, int timeoutSeconds) {
    return answer(path, timeoutSeconds).passed();
  }

  @Test
  void a2xxAnswerThroughTheServiceProxyPasses() {
    assertThat(check("/health", 5)).isTrue();
    assertThat(check("/created", 5)).isTrue();
    assertThat(seen).first().isEqualTo(new Seen("GET", PROXY + "/health", "Bearer operator-token"));
  }

  @Test
  void anyOtherAnswerFails() {
    assertThat(check("/unhealthy", 5)).isFalse();
    assertThat(check("/moved", 5)).isFalse();
    assertThat(check("/missing", 5)).isFalse();
    assertThat(seen).extracting(Seen::uri).containsExactly(PROXY + "/unhealthy", PROXY + "/moved", PROXY + "/missing");
  }

  @Test
  void noAnswerWithinTheTimeoutFails() {
    long started = System.nanoTime();
    assertThat(check("/slow", 1)).isFalse();
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(seconds).as("gave up after the timeout, not later").isBetween(0.9, 5.0);
    assertThat(seen).extracting(Seen::uri).containsExactly(PROXY + "/slow");
  }

  @Test
  void theQueryOfThePathIsPassedOn() {
    assertThat(check("/health?verbose=1", 5)).isTrue();
    assertThat(seen).extracting(Seen::uri).containsExactly(PROXY + "/health?verbose=1");
  }

  @Test
  void nothingListeningFails() {
    server.stop(0);
    assertThat(check("/health", 2)).isFalse();
  }

  @Test
  void theAnswerSaysWhatTheCheckSaw() {
    assertThat(answer("/health", 5)).isEqualTo(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(answer("/unhealthy", 5)).isEqualTo(new PromotionCheck.Answer(false, "HTTP 503"));
    assertThat(answer("/slow", 1)).isEqualTo(new PromotionCheck.Answer(false, "no answer within 1s"));
  }

  @Test
  void startingTheCheckDoesNotWaitForTheAnswer() {
    long started = System.nanoTime();
    var pending = new ServiceProxyPromotionCheck(client).start(model, "web-preview", "/slow", 20).toCompletableFuture();
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(seconds).as("start returned before the answer").isLessThan(2.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
    assertThat(pending).as("the server holds the answer").isNotDone();
    release.countDown();
    assertThat(pending.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo(new PromotionCheck.Answer(true, "HTTP 200"));
  }

  /** The operator's client retries 5xx answers; the check asks once, so a 503 is a 503 and not a timeout. */
  @Test
  void aClientThatRetriesServerErrorsStillSendsTheCheckOnce() {
    try (KubernetesClient retrying = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
        .withOauthToken("operator-token")
        .withRequestRetryBackoffLimit(2)
        .withRequestRetryBackoffInterval(100)
        .build()).build()) {
      var answer = new ServiceProxyPromotionCheck(retrying).start(model, "web-preview", "/unhealthy", 5)
          .toCompletableFuture().join();
      assertThat(answer).isEqualTo(new PromotionCheck.Answer(false, "HTTP 503"));
      assertThat(seen).extracting(Seen::uri).containsExactly(PROXY + "/unhealthy");

      // The same request through the client's own HTTP client is retried: the setting above is live.
      seen.clear();
      var request = retrying.getHttpClient().newHttpRequestBuilder()
          .uri(java.net.URI.create(retrying.getMasterUrl().toString().replaceAll("/$", "") + PROXY + "/unhealthy")).build();
      assertThat(retrying.getHttpClient().sendAsync(request, String.class).orTimeout(10, TimeUnit.SECONDS).join().code())
          .isEqualTo(503);
      assertThat(seen).extracting(Seen::uri).containsExactly(PROXY + "/unhealthy", PROXY + "/unhealthy", PROXY + "/unhealthy");
    }
  }
}
