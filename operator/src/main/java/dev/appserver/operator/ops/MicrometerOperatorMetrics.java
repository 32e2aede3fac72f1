package dev.appserver.operator.ops;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link OperatorMetrics} recorded in a Micrometer registry. */
public final class MicrometerOperatorMetrics implements OperatorMetrics {
  public static final String ROLLOUTS_STARTED = "appserver.rollouts.started";
  public static final String ROLLOUTS_PROMOTED = "appserver.rollouts.promoted";
  public static final String ROLLOUTS_ABANDONED = "appserver.rollouts.abandoned";
  public static final String WORKERS = "appserver.workers";

  private record Key(String namespace, String name) {}

  private record WorkersGauge(AtomicInteger value, Gauge gauge) {}

  private final MeterRegistry registry;
  private final Map<Key, WorkersGauge> workers = new ConcurrentHashMap<>();

  public MicrometerOperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void rolloutStarted(String namespace, String name) {
    count(ROLLOUTS_STARTED, "Rollouts of a new AppServer revision that began", namespace);
  }

  @Override
  public void rolloutPromoted(String namespace, String name) {
    count(ROLLOUTS_PROMOTED, "Rollouts that finished with the new revision serving", namespace);
  }

  @Override
  public void rolloutAbandoned(String namespace, String name) {
    count(ROLLOUTS_ABANDONED, "Rollouts given up, the previous revision serving on", namespace);
  }

  @Override
  public void workers(String namespace, String name, int value) {
    workers.computeIfAbsent(new Key(namespace, name), k -> {
      var holder = new AtomicInteger(value);
      var gauge = Gauge.builder(WORKERS, holder, AtomicInteger::get)
          .description("Gunicorn worker processes per pod of the AppServer (status.workers)")
          .tags("namespace", namespace, "name", name)
          .strongReference(true)
          .register(registry);
      return new WorkersGauge(holder, gauge);
    }).value().set(value);
  }

  @Override
  public void forget(String namespace, String name) {
    var removed = workers.remove(new Key(namespace, name));
    if (removed != null) registry.remove(removed.gauge());
  }

  /** For JOSDK: forgets an AppServer's series once JOSDK has cleaned up after its deletion. */
  public Metrics forgettingDeletedResources() {
    return new Metrics() {
      @Override
      public void cleanupDoneFor(ResourceID id, Map<String, Object> metadata) {
        forget(id.getNamespace().orElse(""), id.getName());
      }
    };
  }

  private void count(String name, String description, String namespace) {
    Counter.builder(name).description(description).tag("namespace", namespace).register(registry).increment();
  }
}
