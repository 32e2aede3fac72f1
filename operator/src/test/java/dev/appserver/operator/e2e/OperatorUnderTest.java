package dev.appserver.operator.e2e;

import dev.appserver.operator.OperatorMain;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator, run in this JVM against the local control plane, with a client that records every
 * write request it sends and a count of finished reconciles.
 */
public final class OperatorUnderTest implements AutoCloseable {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  public final List<String> writes = new CopyOnWriteArrayList<>();
  public final Map<String, AtomicInteger> reconciles = new java.util.concurrent.ConcurrentHashMap<>();
  public final KubernetesClient client;
  private final Operator operator;

  public OperatorUnderTest(Duration resync) throws Exception {
    Interceptor recorder = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (WRITES.contains(request.method())) writes.add(request.method() + " " + request.uri().getPath());
      }
    };
    client = new KubernetesClientBuilder()
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("write-recorder", recorder))
        .build();
    Metrics counting = new Metrics() {
      @Override
      public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        reconciles.computeIfAbsent(String.valueOf(resource.getMetadata().getNamespace()), k -> new AtomicInteger()).incrementAndGet();
      }
    };
    operator = new Operator(o -> o.withKubernetesClient(client).withMetrics(counting).withCloseClientOnStop(false));
    operator.register(OperatorMain.reconciler(client, Clock.systemUTC()), c -> c.withReconciliationMaxInterval(resync));
    operator.start();
  }

  public int reconcilesIn(String namespace) {
    var n = reconciles.get(namespace);
    return n == null ? 0 : n.get();
  }

  public List<String> writesIn(String namespace) {
    return writes.stream().filter(w -> w.contains("/namespaces/" + namespace + "/")).toList();
  }

  @Override
  public void close() {
    operator.stop();
    client.close();
  }

}
