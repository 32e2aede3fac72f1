package dev.appserver.operator.advisor;

import dev.appserver.operator.model.LoadReading;
import dev.appserver.operator.model.Measurement;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The advisor's PromQL: five instant queries, each answering for every AppServer at once (grouped
 * by {@code namespace} and {@code appserver}, the labels the scrape configuration puts on a pod's
 * series), so a look at a thousand AppServers costs five requests. All are evaluated at the same
 * instant.
 */
final class LoadQueries {
  /** The label that names a pod's AppServer: the scrape configuration copies app.kubernetes.io/instance into it. */
  static final String APPSERVER_LABEL = "appserver";
  static final String NAMESPACE_LABEL = "namespace";

  final String requests;
  final String wall;
  final String cpu;
  final String capacity;
  final String pods;

  /** @param namespaces the namespaces the operator watches; empty for all */
  LoadQueries(Duration window, Set<String> namespaces) {
    String w = "[" + LoadReading.promDuration(window) + "]";
    String sub = "[" + LoadReading.promDuration(window) + ":]";
    String by = "sum by (" + NAMESPACE_LABEL + ", " + APPSERVER_LABEL + ") ";
    String matchers = "{" + APPSERVER_LABEL + "!=\"\""
        + (namespaces.isEmpty() ? "" : "," + NAMESPACE_LABEL + "=~\"" + String.join("|", namespaces) + "\"") + "}";
    requests = by + "(rate(gunicorn_request_duration_seconds_count" + matchers + w + "))";
    wall = by + "(rate(gunicorn_request_duration_seconds_sum" + matchers + w + "))";
    cpu = by + "(rate(gunicorn_worker_cpu_seconds_total" + matchers + w + "))";
    // Time averages of the sum and the count over the pods, so pods that came or went within the
    // window count for the time they were there.
    capacity = "avg_over_time((" + by + "(gunicorn_capacity" + matchers + "))" + sub + ")";
    pods = "avg_over_time((count by (" + NAMESPACE_LABEL + ", " + APPSERVER_LABEL + ") (gunicorn_capacity" + matchers + "))" + sub + ")";
  }

  List<String> all() {
    return List.of(requests, wall, cpu, capacity, pods);
  }

  /** Every AppServer Prometheus has series of, by namespace and name. */
  Map<ResourceID, Measurement> measure(PrometheusClient prometheus, Instant at)
      throws PrometheusException, InterruptedException {
    var r = byAppServer(prometheus.query(requests, at));
    var w = byAppServer(prometheus.query(wall, at));
    var c = byAppServer(prometheus.query(cpu, at));
    var cap = byAppServer(prometheus.query(capacity, at));
    var p = byAppServer(prometheus.query(pods, at));
    Map<ResourceID, Measurement> out = new HashMap<>();
    for (var maps : List.of(r, w, c, cap, p)) {
      for (ResourceID id : maps.keySet()) {
        out.computeIfAbsent(id, k -> new Measurement(get(r, k), get(w, k), get(c, k), get(cap, k), get(p, k)));
      }
    }
    return out;
  }

  private static double get(Map<ResourceID, Double> values, ResourceID id) {
    return values.getOrDefault(id, Double.NaN);
  }

  private static Map<ResourceID, Double> byAppServer(List<PrometheusClient.Sample> samples) {
    Map<ResourceID, Double> out = new HashMap<>();
    for (var s : samples) {
      String ns = s.labels().get(NAMESPACE_LABEL);
      String name = s.labels().get(APPSERVER_LABEL);
      if (ns == null || ns.isEmpty() || name == null || name.isEmpty()) continue;
      out.put(new ResourceID(name, ns), s.value());
    }
    return out;
  }
}
