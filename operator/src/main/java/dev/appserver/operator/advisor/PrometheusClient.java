package dev.appserver.operator.advisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instant queries against Prometheus' HTTP API ({@code GET /api/v1/query}), with the JDK's HTTP
 * client. Anything but a {@code success} answer holding an instant vector is a
 * {@link PrometheusException}: an HTTP error with Prometheus' own {@code errorType} and
 * {@code error}, no answer in time, or a body that is not a query result.
 */
public final class PrometheusClient {
  /** One element of an instant vector: its labels and its value (NaN and infinities included). */
  public record Sample(Map<String, String> labels, double value) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_TEXT = 300;

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base Prometheus' address, such as {@code http://prometheus.monitoring:9090} (a path prefix is kept)
   * @param timeout how long one query may take, Prometheus' evaluation included
   */
  public PrometheusClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  public URI base() {
    return base;
  }

  /**
   * Evaluates {@code promql} at {@code time}.
   *
   * @throws InterruptedException when the thread is interrupted (the advisor is stopping)
   */
  public List<Sample> query(String promql, Instant time) throws PrometheusException, InterruptedException {
    String prefix = base.toString().replaceAll("/+$", "");
    URI uri = URI.create(prefix + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&time=" + time.toEpochMilli() / 1000 + "." + String.format("%03d", time.toEpochMilli() % 1000)
        + "&timeout=" + Math.max(1, timeout.toSeconds()) + "s");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PrometheusException("no answer (" + e.getClass().getSimpleName() + ")",
          "no answer from " + prefix + ": " + e, e);
    }
    JsonNode body = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      String detail = body != null && body.hasNonNull("error")
          ? " (" + body.path("errorType").asText("?") + "): " + body.path("error").asText()
          : ": " + shorten(response.body());
      throw new PrometheusException("HTTP " + response.statusCode(),
          prefix + " answered HTTP " + response.statusCode() + detail + " (query: " + promql + ")");
    }
    if (body == null || !"success".equals(body.path("status").asText())) {
      throw new PrometheusException("not a query result",
          prefix + " answered HTTP " + response.statusCode() + " with something that is not a query result: "
              + shorten(response.body()));
    }
    JsonNode data = body.path("data");
    if (!"vector".equals(data.path("resultType").asText()) || !data.path("result").isArray()) {
      throw new PrometheusException("not a query result",
          prefix + " answered with a result of type '" + data.path("resultType").asText() + "', not an instant vector (query: "
              + promql + ")");
    }
    List<Sample> samples = new ArrayList<>();
    for (JsonNode element : data.path("result")) {
      Map<String, String> labels = new LinkedHashMap<>();
      element.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      JsonNode value = element.path("value");
      if (!value.isArray() || value.size() != 2) {
        throw new PrometheusException("not a query result", prefix + " answered a sample without [time, value]: " + shorten(element.toString()));
      }
      samples.add(new Sample(labels, number(value.get(1).asText(), prefix)));
    }
    return samples;
  }

  /** Prometheus writes sample values as strings: a float, NaN, +Inf or -Inf. */
  private static double number(String text, String prefix) throws PrometheusException {
    switch (text) {
      case "+Inf", "Inf": return Double.POSITIVE_INFINITY;
      case "-Inf": return Double.NEGATIVE_INFINITY;
      case "NaN": return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new PrometheusException("not a query result", prefix + " answered a sample value that is not a number: " + shorten(text));
        }
    }
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String shorten(String text) {
    String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return oneLine.length() > MAX_ERROR_TEXT ? oneLine.substring(0, MAX_ERROR_TEXT) + "..." : oneLine;
  }
}
