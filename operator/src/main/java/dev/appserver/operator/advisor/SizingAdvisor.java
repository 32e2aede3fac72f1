package dev.appserver.operator.advisor;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.LoadReading;
import dev.appserver.operator.model.Measurement;
import dev.appserver.operator.ops.AdvisorSettings;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every AppServer's load from Prometheus on a thread of its own, and hands each one's
 * {@link LoadReading} to the reconciler as a JOSDK event source: a reading that changes triggers a
 * reconcile of its AppServer (whose status then shows it), an unchanged one triggers nothing.
 *
 * <p>Each look is one batch of instant queries for all AppServers ({@link LoadQueries}); readings
 * are settled against the last one (or, after a restart, against what the status shows), so
 * figures that barely move cause no status write. Readings are kept only for AppServers that
 * exist. When Prometheus fails {@value #FAILURES_BEFORE_UNAVAILABLE} looks in a row, every
 * AppServer's reading says so (keeping its last figures); a failure is logged once per change,
 * and never reaches a reconcile. Off, it registers nothing and the status has no advisor part.
 */
public final class SizingAdvisor {
  private static final Logger log = LoggerFactory.getLogger(SizingAdvisor.class);
  /** Failed looks in a row before the readings say Unavailable: one lost answer rewrites no status. */
  static final int FAILURES_BEFORE_UNAVAILABLE = 3;
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
  static final String EVENT_SOURCE_NAME = "sizing-advisor";

  private final AdvisorSettings settings;
  private final LoadQueries queries;
  private final PrometheusClient prometheus;
  private final BooleanSupplier active;
  private final Clock clock;
  private volatile Readings readings;

  private SizingAdvisor(Optional<URI> prometheusUrl, AdvisorSettings settings, Set<String> namespaces,
      BooleanSupplier active, Clock clock) {
    this.settings = settings;
    this.queries = new LoadQueries(settings.window(), namespaces);
    this.prometheus = prometheusUrl.filter(u -> settings.enabled()).map(u -> new PrometheusClient(u, QUERY_TIMEOUT)).orElse(null);
    this.active = active;
    this.clock = clock;
  }

  /**
   * The advisor as configured: off when the operator has no Prometheus, or it is turned off.
   *
   * @param namespaces the namespaces the operator watches (empty: all), which narrow the queries
   * @param active whether this replica reconciles now (it holds the Lease): only then it queries
   */
  public static SizingAdvisor of(Optional<URI> prometheusUrl, AdvisorSettings settings, Set<String> namespaces,
      BooleanSupplier active, Clock clock) {
    return new SizingAdvisor(prometheusUrl, settings, namespaces, active, clock);
  }

  public static SizingAdvisor off() {
    return new SizingAdvisor(Optional.empty(), AdvisorSettings.defaults(), Set.of(), () -> false, Clock.systemUTC());
  }

  public boolean enabled() {
    return prometheus != null;
  }

  /** The event source to register with the AppServer controller; none when off. */
  public Optional<EventSource<LoadReading, AppServer>> eventSource(EventSourceContext<AppServer> context) {
    if (!enabled()) return Optional.empty();
    var source = new Readings(context.getPrimaryCache());
    readings = source;
    return Optional.of(source);
  }

  /** The latest reading of this AppServer, if the advisor has one. */
  public Optional<LoadReading> reading(AppServer appServer) {
    Readings r = readings;
    return r == null ? Optional.empty() : r.getSecondaryResource(ResourceID.fromResource(appServer));
  }

  /** One look at Prometheus for every AppServer in the cache, turned into readings. */
  Map<ResourceID, Set<LoadReading>> look(List<AppServer> appServers, Map<ResourceID, LoadReading> last,
      Problems problems) throws InterruptedException {
    Instant now = clock.instant();
    Map<ResourceID, Measurement> measured;
    try {
      measured = queries.measure(prometheus, now);
      problems.succeeded();
    } catch (PrometheusException e) {
      if (problems.failed(e) < FAILURES_BEFORE_UNAVAILABLE) return null;
      Map<ResourceID, Set<LoadReading>> out = new HashMap<>();
      for (AppServer a : appServers) {
        ResourceID id = ResourceID.fromResource(a);
        out.put(id, Set.of(LoadReading.unavailable(baseline(a, last.get(id)), settings.window(), e.summary())));
      }
      return out;
    }
    Map<ResourceID, Set<LoadReading>> out = new HashMap<>();
    for (AppServer a : appServers) {
      ResourceID id = ResourceID.fromResource(a);
      LoadReading previous = baseline(a, last.get(id));
      Measurement m = measured.get(id);
      out.put(id, Set.of(m == null ? LoadReading.noMetrics(previous, settings.window())
          : LoadReading.measured(m, previous, now, settings.window(), settings.minRequestsPerPod())));
    }
    return out;
  }

  /** What a new measurement is settled against: the last reading, else what the status shows. */
  private static LoadReading baseline(AppServer a, LoadReading last) {
    if (last != null) return last;
    return a.getStatus() == null ? null : LoadReading.of(a.getStatus().getAdvisor());
  }

  /** Logs a problem when it starts or changes, and when it ends; counts failures in a row. */
  final class Problems {
    private String current;
    private int inARow;

    int failed(PrometheusException e) {
      inARow++;
      if (!e.summary().equals(current)) {
        current = e.summary();
        log.warn("Sizing advisor: Prometheus failed ({}): {}{}", current, e.getMessage(),
            inARow < FAILURES_BEFORE_UNAVAILABLE ? "; AppServers keep their figures unless it fails "
                + FAILURES_BEFORE_UNAVAILABLE + " times in a row" : "");
      }
      return inARow;
    }

    void succeeded() {
      if (current != null) log.info("Sizing advisor: Prometheus at {} answers again", prometheus.base());
      current = null;
      inARow = 0;
    }
  }

  /** The readings, cached by AppServer; a look runs on the advisor's own thread. */
  private final class Readings extends ExternalResourceCachingEventSource<LoadReading, AppServer, String> {
    private final IndexerResourceCache<AppServer> primaries;
    private final Problems problems = new Problems();
    private ScheduledExecutorService scheduler;

    Readings(IndexerResourceCache<AppServer> primaries) {
      super(EVENT_SOURCE_NAME, LoadReading.class, ResourceIDMapper.singleResourceResourceIDMapper());
      this.primaries = primaries;
    }

    @Override
    public synchronized void start() {
      super.start();
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, EVENT_SOURCE_NAME);
        t.setDaemon(true);
        return t;
      });
      Duration every = settings.interval();
      log.info("Sizing advisor: reading {} every {}, rates over {}, at least {} requests per pod", prometheus.base(),
          every.toMillis() % 1000 == 0 ? LoadReading.promDuration(every) : every.toMillis() + "ms",
          LoadReading.promDuration(settings.window()), settings.minRequestsPerPod());
      scheduler.scheduleWithFixedDelay(this::lookSafely, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
      if (scheduler != null) scheduler.shutdownNow();
      super.stop();
    }

    private void lookSafely() {
      try {
        if (!isRunning() || !active.getAsBoolean()) return;
        Map<ResourceID, LoadReading> last = new HashMap<>();
        getCache().forEach((id, byKey) -> byKey.values().stream().findFirst().ifPresent(r -> last.put(id, r)));
        List<AppServer> appServers = primaries.list().toList();
        var next = look(appServers, last, problems);
        if (next != null && isRunning()) publish(appServers, next);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // stopping
      } catch (RuntimeException e) {
        // Never let the scheduler drop the task: the next look tries again.
        log.warn("Sizing advisor: a look at Prometheus failed: {}", e.toString(), e);
      }
    }

    /**
     * Caches the readings and drops those of AppServers that are gone. A reading that changed
     * reconciles its AppServer, unless its status already shows it (after a restart, most do).
     */
    private synchronized void publish(List<AppServer> appServers, Map<ResourceID, Set<LoadReading>> next) {
      getCache().keySet().stream().filter(id -> !next.containsKey(id)).toList().forEach(this::handleDelete);
      for (AppServer a : appServers) {
        ResourceID id = ResourceID.fromResource(a);
        Set<LoadReading> reading = next.get(id);
        if (reading == null) continue;
        LoadReading inStatus = a.getStatus() == null ? null : LoadReading.of(a.getStatus().getAdvisor());
        boolean shown = inStatus != null && reading.contains(inStatus);
        handleResources(id, reading, !shown);
      }
    }
  }
}
