package dev.appserver.operator.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * /healthz, /readyz and /metrics on one port, served by the JDK's own HTTP server.
 *
 * <ul>
 *   <li>/healthz: 200 while the process serves requests at all (liveness).
 *   <li>/readyz: 200 once the operator has started and its informers are synced, 503 with the
 *       reason before that and while it shuts down (readiness).
 *   <li>/metrics: the registry in Prometheus text format, or OpenMetrics when asked for it.
 * </ul>
 */
public final class OpsServer implements AutoCloseable {
  /** Why the operator is not ready, or empty when it is. */
  public interface Readiness extends Supplier<Optional<String>> {}

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private OpsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static OpsServer start(int port, PrometheusMeterRegistry registry, Readiness readiness) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "ops-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/healthz", exchange -> handle(exchange, () -> reply(exchange, 200, "ok\n")));
    server.createContext("/readyz", exchange -> handle(exchange, () -> {
      Optional<String> notReady = readiness.get();
      if (notReady.isPresent()) reply(exchange, 503, "not ready: " + notReady.get() + "\n");
      else reply(exchange, 200, "ok\n");
    }));
    server.createContext("/metrics", exchange -> handle(exchange, () -> {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      String contentType = accept != null && accept.contains("application/openmetrics-text")
          ? OPENMETRICS : PROMETHEUS_TEXT;
      byte[] body = registry.scrape(contentType).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      send(exchange, 200, body);
    }));
    server.createContext("/", exchange -> handle(exchange, () -> reply(exchange, 404, "try /metrics, /healthz or /readyz\n")));
    server.start();
    return new OpsServer(server, executor);
  }

  /** The port it listens on (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Handler {
    void run() throws IOException;
  }

  private static void handle(HttpExchange exchange, Handler handler) throws IOException {
    try {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "method not allowed\n");
        return;
      }
      handler.run();
    } catch (RuntimeException e) {
      reply(exchange, 500, "internal error: " + e + "\n");
    } finally {
      exchange.close();
    }
  }

  private static void reply(HttpExchange exchange, int code, String text) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, code, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int code, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
