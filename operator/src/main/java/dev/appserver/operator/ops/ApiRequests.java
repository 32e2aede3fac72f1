package dev.appserver.operator.ops;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests the operator's own client sends to the API server, by verb and resource, as
 * {@code appserver_operator_api_requests_total{verb, resource}} (verbs as the API server's audit
 * log names them: get, list, watch, create, update, patch, apply, delete; the resource with its
 * subresource, e.g. {@code appservers/status}; {@code discovery} for /api, /apis and /version).
 * The API server counts requests by resource, not by client, so only this tells whether the
 * operator itself wrote something while nothing changed. A request is counted when it is sent,
 * once per attempt.
 */
public final class ApiRequests {
  public static final String METRIC = "appserver.operator.api.requests";
  static final String INTERCEPTOR = "appserver-api-requests";

  public record Key(String verb, String resource) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /** The interceptor to install on the operator's client ({@link #INTERCEPTOR} is its name). */
  public Interceptor interceptor() {
    return new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        // The client keeps a body's content type beside the body, not among the headers.
        String contentType = request instanceof StandardHttpRequest standard && standard.getContentType() != null
            ? standard.getContentType() : request.header("Content-Type");
        count(classify(request.method(), request.uri(), contentType));
      }
    };
  }

  public String interceptorName() {
    return INTERCEPTOR;
  }

  /** Exports the counts (those so far and any later one) in the registry. */
  public synchronized void bindTo(MeterRegistry registry) {
    this.registry = registry;
    counts.forEach((key, adder) -> register(registry, key, adder));
  }

  /** The counts so far, by verb and resource. */
  public Map<Key, Long> snapshot() {
    var out = new TreeMap<Key, Long>(java.util.Comparator.comparing(Key::verb).thenComparing(Key::resource));
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void count(Key key) {
    LongAdder adder = counts.get(key);
    if (adder == null) {
      synchronized (this) {
        adder = counts.computeIfAbsent(key, k -> new LongAdder());
        if (registry != null) register(registry, key, adder);
      }
    }
    adder.increment();
  }

  private static void register(MeterRegistry registry, Key key, LongAdder adder) {
    FunctionCounter.builder(METRIC, adder, LongAdder::doubleValue)
        .description("Requests the operator sent to the Kubernetes API server, by verb and resource")
        .tag("verb", key.verb()).tag("resource", key.resource())
        .register(registry);
  }

  /** The verb and resource of a request to the API server, from its method, path, query and content type. */
  static Key classify(String method, URI uri, String contentType) {
    String[] parts = trimSlashes(uri.getPath()).split("/");
    // /api/v1/... or /apis/<group>/<version>/...
    int first = parts.length > 0 && parts[0].equals("api") ? 2 : parts.length > 0 && parts[0].equals("apis") ? 3 : -1;
    String resource = "discovery";
    boolean named = false;
    if (first > 0 && parts.length > first) {
      int at = first;
      if (parts[at].equals("namespaces") && parts.length > at + 2) at += 2;
      resource = parts[at];
      named = parts.length > at + 1;
      if (parts.length > at + 2) resource += "/" + parts[at + 2];
    }
    String query = uri.getRawQuery() == null ? "" : "&" + uri.getRawQuery() + "&";
    String verb = switch (method) {
      case "GET" -> query.contains("&watch=true&") || query.contains("&watch=1&") ? "watch"
          : named || resource.equals("discovery") ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> contentType != null && contentType.startsWith("application/apply-patch") ? "apply" : "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return new Key(verb, resource);
  }

  private static String trimSlashes(String path) {
    int from = 0;
    int to = path.length();
    while (from < to && path.charAt(from) == '/') from++;
    while (to > from && path.charAt(to - 1) == '/') to--;
    return path.substring(from, to);
  }

  /** True for the verbs that change something. */
  public static boolean isWrite(String verb) {
    return switch (verb) {
      case "create", "update", "patch", "apply", "delete", "deletecollection" -> true;
      default -> false;
    };
  }
}
