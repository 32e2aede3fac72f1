package dev.appserver.operator.e2e;

import dev.appserver.operator.OperatorMain;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.reconciler.AppServerReconciler;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import dev.appserver.operator.ops.ApiRequests;
import dev.appserver.operator.ops.OperatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator, run in this JVM against the local control plane and built by the factory the jar
 * uses ({@link OperatorMain#start}), with the production configuration but for three things a test
 * must choose: the namespace it watches (its own, so namespaces of earlier tests still being deleted
 * are not reconciled), any free port for its endpoints, and a client that records every write
 * request it sends. A JOSDK metrics listener counts finished reconciles.
 */
public final class OperatorUnderTest implements AutoCloseable {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  public final List<String> writes = new CopyOnWriteArrayList<>();
  public final Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();
  public final KubernetesClient client;
  /** The operator's own count of its requests, as /metrics shows it. */
  public final ApiRequests requests = new ApiRequests();
  /** Set when the operator lost a Lease (only with leader election, which these tests do not turn on). */
  public final AtomicBoolean leaseLost = new AtomicBoolean();
  private final OperatorMain.Running running;

  public OperatorUnderTest(String namespace) throws Exception {
    this(namespace, Map.of());
  }

  /** @param env more of the operator's settings (variables of OperatorConfig), e.g. PROMETHEUS_URL */
  public OperatorUnderTest(String namespace, Map<String, String> env) throws Exception {
    Interceptor recorder = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (WRITES.contains(request.method())) writes.add(request.method() + " " + request.uri().getPath());
      }
    };
    client = new KubernetesClientBuilder()
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("write-recorder", recorder)
            .addOrReplaceInterceptor(requests.interceptorName(), requests.interceptor()))
        .build();
    Metrics counting = new Metrics() {
      @Override
      public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        reconciles.computeIfAbsent(String.valueOf(resource.getMetadata().getNamespace()), k -> new AtomicInteger()).incrementAndGet();
      }
    };
    Map<String, String> settings = new java.util.HashMap<>(env);
    settings.put("WATCH_NAMESPACES", namespace);
    settings.put("METRICS_PORT", "0");
    var config = OperatorConfig.parse(new String[0], settings);
    running = OperatorMain.start(config, client, requests, Map.of(), List.of(counting), () -> leaseLost.set(true));
  }

  /** What the controller's own informer holds of the AppServers in a namespace (its cache, not the API server's copy). */
  public List<AppServer> cachedAppServers(String namespace) {
    return controller().getEventSourceManager().getControllerEventSource().list(namespace, r -> true).toList();
  }

  /** What the operator's informer of a child kind holds in a namespace (its cache, not the API server's copy). */
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> List<R> cached(Class<R> type, String informer, String namespace) {
    var source = (InformerEventSource<R, AppServer>) controller().getEventSourceManager().getEventSourceFor(type, informer);
    return source.list(namespace, r -> true).toList();
  }

  @SuppressWarnings("unchecked")
  private Controller<AppServer> controller() {
    return (Controller<AppServer>) running.operator.getRegisteredController(AppServerReconciler.NAME).orElseThrow();
  }

  public int reconcilesIn(String namespace) {
    var n = reconciles.get(namespace);
    return n == null ? 0 : n.get();
  }

  public List<String> writesIn(String namespace) {
    return writes.stream().filter(w -> w.contains("/namespaces/" + namespace + "/")).toList();
  }

  /** Stops it as a SIGTERM would (and closes its client). */
  @Override
  public void close() {
    running.close();
  }
}
