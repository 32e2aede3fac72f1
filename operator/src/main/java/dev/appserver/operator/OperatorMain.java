package dev.appserver.operator;

import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.advisor.SizingAdvisor;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.ops.ApiRequests;
import dev.appserver.operator.ops.HostName;
import dev.appserver.operator.ops.Leadership;
import dev.appserver.operator.ops.MicrometerOperatorMetrics;
import dev.appserver.operator.ops.OperatorConfig;
import dev.appserver.operator.ops.OperatorMetrics;
import dev.appserver.operator.ops.OpsServer;
import dev.appserver.operator.reconciler.AppServerReconciler;
import dev.appserver.operator.reconciler.OperatorSettings;
import dev.appserver.operator.reconciler.KubernetesEventRecorder;
import dev.appserver.operator.reconciler.ServiceProxyPromotionCheck;
import dev.appserver.operator.reconciler.TrimmedStore;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the operator against the cluster of the current kubeconfig (or the in-cluster account):
 * the AppServer controller, leader election when configured, and /metrics, /healthz, /readyz.
 */
public final class OperatorMain {
  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);
  /** How long a stop waits for reconciles in flight; well inside the chart's 30 s termination grace period. */
  static final Duration RECONCILE_GRACE = Duration.ofSeconds(10);

  private OperatorMain() {}

  /** The {@code run} command: starts, then serves until SIGTERM or SIGINT, and exits 0 after a clean stop. */
  public static void run(OperatorConfig config) {
    var requests = new ApiRequests();
    KubernetesClient client = clientBuilder(requests).build();
    Running running;
    try {
      running = create(config, client, requests, System.getenv(), List.of(), OperatorMain::exitAfterLostLease);
    } catch (Exception e) {
      log.error("The operator could not start: {}", e.getMessage(), e);
      client.close();
      System.exit(1);
      return;
    }
    Runnable stopAndExit = () -> new Thread(() -> {
      running.close();
      System.exit(0);
    }, "shutdown").start();
    Signal.handle(new Signal("TERM"), s -> stopAndExit.run());
    Signal.handle(new Signal("INT"), s -> stopAndExit.run());
    // Any other exit (System.exit elsewhere) still stops the operator first.
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown-hook"));
    try {
      running.start();
    } catch (Exception e) {
      log.error("The operator could not start: {}", e.getMessage(), e);
      running.close();
      System.exit(1);
    }
    running.awaitClosed();
  }

  /**
   * Builds the operator against a client that is never used (no cluster is contacted), opens and
   * closes its endpoints, and stops it: {@code warm-up} of {@link Main}.
   *
   * @return the requests its client sent (none)
   */
  static Map<ApiRequests.Key, Long> warmUp() throws Exception {
    var requests = new ApiRequests();
    var config = OperatorConfig.parse(new String[0], Map.of("LEADER_ELECTION_ENABLED", "true",
        "LEADER_ELECTION_NAMESPACE", "warm-up", "METRICS_PORT", "0"));
    KubernetesClient client = clientBuilder(requests)
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build()).build();
    var running = create(config, client, requests, Map.of("POD_NAME", "warm-up"), List.of(), () -> { });
    running.registry.scrape();
    client.getKubernetesSerialization().asJson(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata().withName("warm-up").endMetadata().build());
    running.close();
    return requests.snapshot();
  }

  private static void exitAfterLostLease() {
    new Thread(() -> System.exit(1), "lost-lease-exit").start();
  }

  /**
   * Builds the operator and starts its HTTP endpoints (not ready yet); {@link Running#start()}
   * then starts the controller. The one place the operator is put together: the jar's {@code run}
   * uses it, and so do the end-to-end tests that run the operator in their own JVM, which choose
   * only the client (to record requests), the configuration and the metrics listeners.
   *
   * @param extraMetrics more JOSDK metrics listeners (tests count reconciles with them)
   * @param onLeaseLost what to do when the Lease is lost while running (the process exits)
   */
  public static Running create(OperatorConfig config, KubernetesClient client, Map<String, String> env,
      List<Metrics> extraMetrics, Runnable onLeaseLost) throws Exception {
    return create(config, client, null, env, extraMetrics, onLeaseLost);
  }

  /** A client builder whose clients count their requests in {@code requests}. */
  public static KubernetesClientBuilder clientBuilder(ApiRequests requests) {
    return new KubernetesClientBuilder()
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(requests.interceptorName(), requests.interceptor()));
  }

  /**
   * @param requests the counts of the client's requests (its builder from {@link #clientBuilder}),
   *     exported on /metrics; null: none
   */
  public static Running create(OperatorConfig config, KubernetesClient client, ApiRequests requests, Map<String, String> env,
      List<Metrics> extraMetrics, Runnable onLeaseLost) throws Exception {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (requests != null) requests.bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    var gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    var metrics = new MicrometerOperatorMetrics(registry);

    Optional<Leadership> leadership = Optional.empty();
    if (config.leaderElection()) {
      String namespace = Leadership.namespace(config, env, Leadership.SERVICE_ACCOUNT_NAMESPACE, client);
      leadership = Optional.of(new Leadership(config, namespace, Leadership.identity(env), onLeaseLost));
    }
    var lead = leadership;
    Gauge.builder("appserver.operator.leader", () -> lead.map(l -> l.isLeader() ? 1 : 0).orElse(1))
        .description("1 when this replica reconciles (holds the Lease, or runs without leader election)")
        .register(registry);

    List<Metrics> listeners = new ArrayList<>();
    listeners.add(MicrometerMetrics.withoutPerResourceMetrics(registry));
    listeners.add(metrics.forgettingDeletedResources());
    listeners.addAll(extraMetrics);
    var operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(new AggregatedMetrics(listeners))
          .withStopOnInformerErrorDuringStartup(true)
          // On SIGTERM, let a reconcile in flight finish its writes rather than interrupt it.
          .withReconciliationTerminationTimeout(RECONCILE_GRACE)
          // A reconcile waits on API calls only; a few threads keep up, and each thread costs memory.
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withConcurrentWorkflowExecutorThreads(config.reconcileThreads())
          .withCloseClientOnStop(false);
      lead.ifPresent(l -> o.withLeaderElectionConfiguration(l.configuration()));
    });
    // Reads Prometheus on a thread of its own, and only while this replica reconciles.
    var advisor = SizingAdvisor.of(config.prometheusUrl(), config.advisor(), config.watchNamespaces(),
        () -> lead.map(Leadership::isLeader).orElse(true), Clock.systemUTC());
    var reconciler = reconciler(client, Clock.systemUTC(), metrics,
        new OperatorSettings(config.prometheusUrl(), config.envSourceKinds()), advisor);
    operator.register(reconciler, c -> {
      c.withReconciliationMaxInterval(config.resyncPeriod());
      // One informer, so one store: JOSDK hands a configured store to the informer of every namespace.
      if (TrimmedStore.usable(config.watchNamespaces())) {
        c.withItemStore(TrimmedStore.<AppServer>of(TrimmedStore::noManagedFields));
      }
      if (!config.watchesAllNamespaces()) c.settingNamespaces(config.watchNamespaces());
    });
    return new Running(config, client, operator, reconciler, registry, metrics, leadership, gc);
  }

  /** {@link #create} and {@link Running#start()}. */
  public static Running start(OperatorConfig config, KubernetesClient client, Map<String, String> env,
      List<Metrics> extraMetrics, Runnable onLeaseLost) throws Exception {
    return start(config, client, null, env, extraMetrics, onLeaseLost);
  }

  /** {@link #create} and {@link Running#start()}. */
  public static Running start(OperatorConfig config, KubernetesClient client, ApiRequests requests, Map<String, String> env,
      List<Metrics> extraMetrics, Runnable onLeaseLost) throws Exception {
    Running running = create(config, client, requests, env, extraMetrics, onLeaseLost);
    try {
      running.start();
    } catch (Exception e) {
      running.close();
      throw e;
    }
    return running;
  }

  private static AppServerReconciler reconciler(KubernetesClient client, Clock clock, OperatorMetrics metrics,
      OperatorSettings settings, SizingAdvisor advisor) throws Exception {
    var validator = AppServerValidator.loadingInBackground(Admission::fromClasspath);
    String instance = HostName.of(System.getenv());
    return new AppServerReconciler(validator, new KubernetesEventRecorder(client, clock, instance),
        new ServiceProxyPromotionCheck(client), clock, metrics, settings, advisor);
  }

  /** A built operator with its endpoints; {@link #close()} stops it in order and may be called more than once. */
  public static final class Running implements AutoCloseable {
    public final OperatorConfig config;
    public final KubernetesClient client;
    public final Operator operator;
    public final PrometheusMeterRegistry registry;
    public final OperatorMetrics metrics;
    private final Optional<Leadership> leadership;
    private final AppServerReconciler reconciler;
    private final JvmGcMetrics gc;
    private final OpsServer ops;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean started;
    private volatile boolean stopping;

    private Running(OperatorConfig config, KubernetesClient client, Operator operator, AppServerReconciler reconciler,
        PrometheusMeterRegistry registry, OperatorMetrics metrics, Optional<Leadership> leadership, JvmGcMetrics gc)
        throws Exception {
      this.config = config;
      this.reconciler = reconciler;
      this.client = client;
      this.operator = operator;
      this.registry = registry;
      this.metrics = metrics;
      this.leadership = leadership;
      this.gc = gc;
      this.ops = OpsServer.start(config.metricsPort(), registry, this::notReady);
      log.info("Serving /metrics, /healthz and /readyz on port {}", ops.port());
    }

    /** Starts the controller; returns once its informers have synced. */
    public void start() {
      log.info("Starting the AppServer operator against {}, watching {}{}", client.getMasterUrl(),
          config.watchesAllNamespaces() ? "all namespaces" : "namespaces " + String.join(",", config.watchNamespaces()),
          leadership.map(l -> ", leader election on Lease " + l.namespace() + "/" + config.leaseName() + " as "
              + l.identity()).orElse(", no leader election"));
      operator.start();
      started = true;
      log.info("AppServer operator started{}", leadership.isPresent() ? " (reconciling once it holds the Lease)" : "");
    }

    public int metricsPort() {
      return ops.port();
    }

    /** True when this process reconciles: it holds the Lease, or runs without leader election. */
    public boolean isLeader() {
      return leadership.map(Leadership::isLeader).orElse(started);
    }

    private Optional<String> notReady() {
      if (stopping) return Optional.of("shutting down");
      if (!started) return Optional.of("starting, informers not synced yet");
      var info = operator.getRuntimeInfo();
      if (!info.allEventSourcesAreHealthy()) return Optional.of("unhealthy informers: " + info.unhealthyEventSources());
      return Optional.empty();
    }

    /** Stops processing, hands the Lease over, closes the endpoints and the client. */
    @Override
    public synchronized void close() {
      if (stopping) return;
      stopping = true;
      log.info("Stopping the AppServer operator");
      leadership.ifPresent(Leadership::stopping);
      reconciler.stopping();
      try {
        operator.stop();
      } catch (RuntimeException e) {
        log.warn("Stopping the controller failed: {}", e.getMessage());
      }
      // A controller that never started never took the Lease (warm-up builds one and stops it).
      leadership.filter(l -> started || l.isLeader()).ifPresent(l -> l.release(client));
      ops.close();
      gc.close();
      client.close();
      log.info("AppServer operator stopped");
      closed.countDown();
    }

    public void awaitClosed() {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
