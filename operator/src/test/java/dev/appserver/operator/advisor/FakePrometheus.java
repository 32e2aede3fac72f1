package dev.appserver.operator.advisor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Prometheus' HTTP query API as a test double at the HTTP level, on 127.0.0.1: answers each
 * {@code /api/v1/query} with what {@link #answer} says for its query, and records every request.
 */
public final class FakePrometheus implements AutoCloseable {
  public record Answer(int status, String body) {
    public static Answer ok(String body) {
      return new Answer(200, body);
    }
  }

  /** One request as received: its path and decoded parameters. */
  public record Request(String path, Map<String, String> params) {
    public String query() {
      return params.get("query");
    }
  }

  public final List<Request> requests = new CopyOnWriteArrayList<>();
  public volatile Function<String, Answer> answer = q -> new Answer(500, "not set up");
  private final HttpServer server;

  public FakePrometheus() throws IOException {
    this("");
  }

  /** @param prefix a path prefix Prometheus is served under, such as {@code /prom} */
  public FakePrometheus(String prefix) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(prefix + "/api/v1/query", this::handle);
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A recorded answer of a real Prometheus, from this package's test resources. */
  public static String recorded(String name) {
    try (InputStream in = FakePrometheus.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalArgumentException("no recorded answer " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers each of the advisor's five queries with the recorded answer to it. */
  public static Answer recordedAnswerTo(String query) {
    String file = query.contains("_count") ? "requests.json"
        : query.contains("duration_seconds_sum") ? "wall.json"
        : query.contains("worker_cpu") ? "cpu.json"
        : query.contains("count by") ? "pods.json"
        : query.contains("gunicorn_capacity") ? "capacity.json" : null;
    return file == null ? new Answer(400, recorded("badquery.json")) : Answer.ok(recorded(file));
  }

  /** Queries received so far. */
  public int count() {
    return requests.size();
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    var request = new Request(exchange.getRequestURI().getPath(), params);
    requests.add(request);
    Answer a = answer.apply(request.query());
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", a.body().startsWith("{") ? "application/json" : "text/html");
    exchange.sendResponseHeaders(a.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
