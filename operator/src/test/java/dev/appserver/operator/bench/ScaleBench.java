package dev.appserver.operator.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.e2e.Kubectl;
import dev.appserver.operator.e2e.OperatorProcess;
import dev.appserver.operator.model.rollout.Children;
import dev.appserver.operator.ops.ApiRequests;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench-scale}: N AppServers against the same child objects applied directly, on the
 * local control plane's fake nodes, with the operator's jar as its own process and the chart's
 * default JVM options. Prints each figure and its ratio to the direct baseline, and writes them to
 * operator/target/bench-scale.txt. Talks to the API server and the operator's own port on
 * 127.0.0.1 only. Settings (system properties): bench.n (1000), bench.replicas (1),
 * bench.parallel (8), bench.resync (15s), bench.idlePeriods (10), bench.timeout (15m, per phase),
 * bench.baseline and bench.rollout (true; false leaves out the direct baseline, the spec change).
 */
public final class ScaleBench {
  private static final String DIRECT = "scale-direct";
  private static final String OPERATED = "scale-operated";
  private static final String SYSTEM = "scale-system";
  private static final String FIELD_MANAGER = "scale-bench";
  private static final Set<String> WRITE_VERBS = Set.of("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION");
  /** What the operator writes (leases aside: leader election renews its Lease every retry period by design). */
  private static final Set<String> OPERATOR_RESOURCES = Set.of("appservers", "deployments", "services", "configmaps",
      "poddisruptionbudgets", "horizontalpodautoscalers", "events");
  private static final Pattern REQUEST_TOTAL = Pattern.compile("(?m)^apiserver_request_total\\{([^}]*)} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final int n = Integer.getInteger("bench.n", 1000);
  private final int replicas = Integer.getInteger("bench.replicas", 1);
  private final int parallel = Integer.getInteger("bench.parallel", 8);
  private final Duration resync = Duration.parse("PT" + System.getProperty("bench.resync", "15s"));
  private final int idlePeriods = Integer.getInteger("bench.idlePeriods", 10);
  private final Duration timeout = Duration.parse("PT" + System.getProperty("bench.timeout", "15m"));
  /** false: the operator's figures only, without the direct baseline (for a quicker look at memory). */
  private final boolean baseline = Boolean.parseBoolean(System.getProperty("bench.baseline", "true"));
  /** false: no spec change at the end. */
  private final boolean rollout = Boolean.parseBoolean(System.getProperty("bench.rollout", "true"));

  private final KubernetesClient kube = new KubernetesClientBuilder().build();
  private final AppServerValidator validator = new AppServerValidator(Admission.fromClasspath());
  private final ObjectMapper json = new ObjectMapper();
  private final List<String> jvmOptions;
  private final Map<String, String> chartEnv;
  private final Report report = new Report();
  private final ExecutorService pool = Executors.newFixedThreadPool(parallel);

  private ScaleBench() throws IOException {
    JsonNode values = new ObjectMapper(new YAMLFactory())
        .readTree(Kubectl.repoRoot().resolve("helm/appserver-operator/values.yaml").toFile());
    // As the image runs it (Dockerfile): its class data sharing archive, then the chart's JAVA_OPTS.
    List<String> options = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + classDataArchive()));
    Arrays.stream(values.path("jvmOptions").asText().trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(options::add);
    jvmOptions = List.copyOf(options);
    // What the chart's Deployment sets (templates/deployment.yaml), the Lease in a namespace of its own.
    chartEnv = OperatorProcess.env(
        "LEADER_ELECTION_ENABLED", String.valueOf(values.path("leaderElection").path("enabled").asBoolean()),
        "LEADER_ELECTION_NAMESPACE", SYSTEM,
        "LEADER_ELECTION_LEASE_NAME", "scale-bench",
        "LOG_FORMAT", values.path("logFormat").asText(),
        "LOG_LEVEL", values.path("logLevel").asText(),
        "RESYNC_PERIOD", resync.toMillis() + "ms",
        // As the image sets it (Dockerfile).
        "MALLOC_ARENA_MAX", "2");
    report.line("N=%d AppServers, %d replica(s) each, %d client threads, resync %ss, operator JVM options: %s",
        n, replicas, parallel, resync.toSeconds(), String.join(" ", jvmOptions));
  }

  /**
   * The class data sharing archive the Dockerfile builds, made the same way ({@code warm-up})
   * next to the jar, again whenever the jar is newer.
   */
  private static Path classDataArchive() throws IOException {
    Path jar = OperatorProcess.jar();
    Path archive = jar.resolveSibling("appserver-operator.jsa");
    if (Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
      return archive;
    }
    Files.deleteIfExists(archive);
    try {
      var training = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:ArchiveClassesAtExit=" + archive, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-jar", jar.toString(), "warm-up")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!training.waitFor(120, TimeUnit.SECONDS) || training.exitValue() != 0 || !Files.isRegularFile(archive)) {
        throw new IllegalStateException("could not build the class data sharing archive " + archive);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return archive;
  }

  public static void main(String[] args) throws Exception {
    var bench = new ScaleBench();
    try {
      bench.run();
    } finally {
      bench.cleanUp();
    }
  }

  private void run() throws Exception {
    Kubectl.installCrd();
    for (String ns : List.of(DIRECT, OPERATED, SYSTEM)) deleteNamespace(ns);
    for (String ns : List.of(DIRECT, OPERATED, SYSTEM)) {
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    double directReady = Double.NaN;
    double directRollout = Double.NaN;
    List<Double> directChildren = List.of();
    long t0;
    if (baseline) {
      // The baseline: the children the operator would create, applied directly; the Deployment controller does the rest.
      var direct = new Tracker(DIRECT);
      t0 = System.nanoTime();
      var directCreate = forAll(i -> {
        direct.started(name(i));
        for (HasMetadata child : children(i, null)) apply(child);
        return null;
      });
      direct.awaitAll("direct: every Deployment ready", this::deploymentReady);
      directReady = seconds(System.nanoTime() - t0);
      directChildren = direct.childrenLatencies(i -> children(i, null));
      directCreate.get();
      report.line("direct: %d apps applied and ready in %.1f s", n, directReady);

      direct.newPhase();
      t0 = System.nanoTime();
      forAll(i -> {
        long generation = 0;
        for (HasMetadata child : children(i, "2")) {
          HasMetadata applied = apply(child);
          if (applied instanceof Deployment d) generation = d.getMetadata().getGeneration();
        }
        direct.require(name(i), generation);
        return null;
      }).get();
      direct.awaitAll("direct: every Deployment rolled out", o -> o instanceof Deployment d
          && direct.required.containsKey(d.getMetadata().getName()) && complete(d, direct.required.get(d.getMetadata().getName())));
      directRollout = seconds(System.nanoTime() - t0);
      direct.close();
      report.line("direct: spec change rolled out in %.1f s", directRollout);
      deleteNamespace(DIRECT);
    }

    // The operator, as its jar, with the chart's defaults.
    long forked = System.nanoTime();
    var operator = OperatorProcess.start("scale-operator-1", chartEnv, jvmOptions);
    try {
      operator.awaitReady();
      double firstReady = seconds(System.nanoTime() - forked);
      report.line("operator (no AppServers yet): start -> /readyz %.2f s", firstReady);
      memory(operator, "with no AppServers");

      var operated = new Tracker(OPERATED);
      t0 = System.nanoTime();
      var create = forAll(i -> {
        operated.started(name(i));
        kube.resource(appServer(i, null)).create();
        return null;
      });
      operated.awaitAll("operator: every AppServer Ready", o -> o instanceof AppServer a && appServerReady(a));
      double ready = seconds(System.nanoTime() - t0);
      create.get();
      var children = operated.childrenLatencies(i -> children(i, null));
      report.figure("create -> all children exist, p50 per app (ms)", percentile(children, 50), percentile(directChildren, 50));
      report.figure("create -> all children exist, p99 per app (ms)", percentile(children, 99), percentile(directChildren, 99));
      report.figure("all Ready, total (s)", ready, directReady);

      // Ready can come before the rollout is complete (available lags ready): the creation is over
      // only when every AppServer says RolloutComplete, and its last Events are written.
      operated.newPhase();
      for (int i = 0; i < n; i++) operated.require(name(i), 1);
      operated.awaitAll("operator: every AppServer settled", o -> o instanceof AppServer a && appServerRolledOut(a, operated));
      awaitNothingQueued(operator);
      long reconcilesBefore = (long) metricSum(operator, "operator_sdk_reconciliations_started_total");
      var writesBefore = writes();
      var ownWritesBefore = ownWrites(operator);
      long idleStart = System.nanoTime();
      Duration idle = resync.multipliedBy(idlePeriods);
      // Ten resync periods: every AppServer is reconciled about ten times with nothing to do.
      await().atMost(idle.plus(timeout)).pollDelay(idle).pollInterval(Duration.ofSeconds(1))
          .until(() -> metricSum(operator, "operator_sdk_reconciliations_started_total") - reconcilesBefore >= (long) idlePeriods * n);
      var idleWrites = diff(writesBefore, writes());
      long idleReconciles = (long) metricSum(operator, "operator_sdk_reconciliations_started_total") - reconcilesBefore;
      report.line("idle: %d reconciles in %.0f s (%d resync periods)", idleReconciles, seconds(System.nanoTime() - idleStart), idlePeriods);
      report.figure("API writes during " + idlePeriods + " idle resync periods (goal 0)", total(idleWrites), Double.NaN);
      report.detail(idleWrites);
      var ownIdleWrites = diff(ownWritesBefore, ownWrites(operator));
      report.figure("  of them sent by the operator (its own count)", total(ownIdleWrites), Double.NaN);
      report.detail(ownIdleWrites);
      memory(operator, "after the idle periods");

      // Restart with nothing changed: SIGTERM (the Lease is released), then a new process.
      var writesBeforeRestart = writes();
      operator.terminate(Duration.ofSeconds(30));
      forked = System.nanoTime();
      var restarted = OperatorProcess.start("scale-operator-2", chartEnv, jvmOptions);
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
            .failFast(() -> {
              if (!restarted.isAlive()) throw new AssertionError("the operator exited:\n" + restarted.logTail());
            })
            .until(() -> metricSum(restarted, "operator_sdk_reconciliations_success_total") >= 1);
        double firstReconcile = seconds(System.nanoTime() - forked);
        report.figure("operator start -> first reconcile done, " + n + " AppServers (s, goal <= 3)", firstReconcile, Double.NaN);
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
            .until(() -> metricSum(restarted, "operator_sdk_reconciliations_success_total") >= n);
        double allReconciled = seconds(System.nanoTime() - forked);
        report.line("restart: all %d AppServers reconciled %.1f s after the start", n, allReconciled);
        // The first pass over every AppServer is where a restart would write; by the second it is over.
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
            .until(() -> metricSum(restarted, "operator_sdk_reconciliations_success_total") >= 2L * n);
        var restartWrites = diff(writesBeforeRestart, writes());
        report.figure("API writes after a restart, nothing changed (goal 0)", total(restartWrites), Double.NaN);
        report.detail(restartWrites);
        var ownRestartWrites = ownWrites(restarted);
        report.figure("  of them sent by the new operator process (its own count)", total(ownRestartWrites), Double.NaN);
        report.detail(ownRestartWrites);
        memory(restarted, "after the restart");

        if (rollout) {
          operated.newPhase();
          long rolloutStart = System.nanoTime();
          forAll(i -> {
            AppServer patched = kube.resources(AppServer.class).inNamespace(OPERATED).withName(name(i))
                .patch(PatchContext.of(PatchType.JSON_MERGE), revisionPatch("2"));
            operated.require(name(i), patched.getMetadata().getGeneration());
            return null;
          }).get();
          operated.awaitAll("operator: every AppServer rolled out", o -> o instanceof AppServer a && appServerRolledOut(a, operated));
          report.figure("spec change on all -> all rolled out (s)", seconds(System.nanoTime() - rolloutStart), directRollout);
          verifyRolledOut();
          memory(restarted, "after the rollout");
        }
        operated.close();
      } finally {
        restarted.terminate(Duration.ofSeconds(30));
      }
    } finally {
      operator.close();
    }
    report.write(Kubectl.repoRoot().resolve("operator/target/bench-scale.txt"));
  }

  // ---- what is created

  private String name(int i) {
    return String.format("app-%04d", i);
  }

  private ObjectNode appServerJson(int i, String revision) {
    ObjectNode doc = json.createObjectNode();
    doc.put("apiVersion", AppServer.GROUP + "/" + AppServer.VERSION).put("kind", "AppServer");
    doc.putObject("metadata").put("name", name(i)).put("namespace", OPERATED);
    ObjectNode spec = doc.putObject("spec");
    spec.put("image", "appserver-example:0.1.0").put("app", "app:app").put("replicas", replicas);
    ObjectNode resources = spec.putObject("resources");
    resources.putObject("requests").put("cpu", "10m").put("memory", "64Mi");
    resources.putObject("limits").put("cpu", "1").put("memory", "256Mi");
    if (revision != null) spec.putArray("env").addObject().put("name", "BENCH_REVISION").put("value", revision);
    return doc;
  }

  private AppServer appServer(int i, String revision) {
    return json.convertValue(appServerJson(i, revision), AppServer.class);
  }

  private String revisionPatch(String revision) {
    return "{\"spec\":{\"env\":[{\"name\":\"BENCH_REVISION\",\"value\":\"" + revision + "\"}]}}";
  }

  /** The children the operator renders for AppServer i, in the direct namespace. */
  private List<HasMetadata> children(int i, String revision) {
    var outcome = validator.validate(appServerJson(i, revision));
    if (!outcome.valid()) throw new IllegalStateException(outcome.message());
    var children = Children.initial(outcome.model());
    children.forEach(c -> c.getMetadata().setNamespace(DIRECT));
    return children;
  }

  private HasMetadata apply(HasMetadata child) {
    return kube.resource(child).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Runs job(0..n-1) on the client pool; the returned future ends when all have. */
  private Future<Void> forAll(IntFunction<Void> job) {
    List<Future<Void>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(pool.submit(() -> job.apply(index)));
    }
    return pool.submit(() -> {
      for (Future<Void> f : futures) f.get();
      return null;
    });
  }

  // ---- when it is done

  private boolean deploymentReady(HasMetadata o) {
    return o instanceof Deployment d && d.getStatus() != null
        && Objects.equals(d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas(), d.getSpec().getReplicas());
  }

  private static boolean complete(Deployment d, long generation) {
    var s = d.getStatus();
    int want = d.getSpec().getReplicas();
    return s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation
        && d.getMetadata().getGeneration() >= generation
        && orZero(s.getUpdatedReplicas()) == want && orZero(s.getReplicas()) == want
        && orZero(s.getReadyReplicas()) == want && orZero(s.getAvailableReplicas()) == want;
  }

  private static boolean appServerReady(AppServer a) {
    return condition(a, "Ready", "True", 0);
  }

  private static boolean appServerRolledOut(AppServer a, Tracker tracker) {
    Long generation = tracker.required.get(a.getMetadata().getName());
    return generation != null && a.getStatus() != null && a.getStatus().getObservedGeneration() != null
        && a.getStatus().getObservedGeneration() >= generation
        && condition(a, "Ready", "True", generation)
        && condition(a, "Progressing", "False", generation)
        && a.getStatus().getConditions().stream().anyMatch(c -> "Progressing".equals(c.getType()) && "RolloutComplete".equals(c.getReason()));
  }

  private static boolean condition(AppServer a, String type, String status, long generation) {
    return a.getStatus() != null && a.getStatus().getConditions() != null && a.getStatus().getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus())
            && (c.getObservedGeneration() == null ? 0 : c.getObservedGeneration()) >= generation);
  }

  /** The AppServers' word checked against their Deployments: every one runs the new spec, fully. */
  private void verifyRolledOut() {
    var deployments = kube.apps().deployments().inNamespace(OPERATED).list().getItems();
    long done = deployments.stream()
        .filter(d -> complete(d, d.getMetadata().getGeneration()))
        .filter(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(e -> "BENCH_REVISION".equals(e.getName()) && "2".equals(e.getValue())))
        .count();
    if (done != n) throw new AssertionError("only " + done + " of " + n + " Deployments run the changed spec fully");
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  /** Watches one namespace: when each app's children first appear, and when each app is done by a predicate. */
  private final class Tracker implements AutoCloseable {
    final String namespace;
    final Map<String, Long> started = new ConcurrentHashMap<>();
    final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    final Map<String, Long> required = new ConcurrentHashMap<>();
    final Map<String, HasMetadata> latest = new ConcurrentHashMap<>();
    volatile Map<String, Long> done = new ConcurrentHashMap<>();
    volatile Predicate<HasMetadata> predicate = o -> false;
    final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    Tracker(String namespace) {
      this.namespace = namespace;
      watch(Deployment.class);
      watch(Service.class);
      watch(ConfigMap.class);
      watch(PodDisruptionBudget.class);
      watch(HorizontalPodAutoscaler.class);
      watch(AppServer.class);
    }

    private <T extends HasMetadata> void watch(Class<T> type) {
      informers.add(kube.resources(type).inNamespace(namespace).inform(new ResourceEventHandler<T>() {
        @Override public void onAdd(T o) { seen(o); }
        @Override public void onUpdate(T old, T o) { seen(o); }
        @Override public void onDelete(T o, boolean unknown) { }
      }));
    }

    private void seen(HasMetadata o) {
      long now = System.nanoTime();
      firstSeen.putIfAbsent(key(o.getKind(), o.getMetadata().getName()), now);
      if (o instanceof Deployment || o instanceof AppServer) {
        latest.put(o.getKind() + "/" + o.getMetadata().getName(), o);
        check(o, now);
      }
    }

    private void check(HasMetadata o, long now) {
      if (predicate.test(o)) done.putIfAbsent(o.getMetadata().getName(), now);
    }

    void started(String app) {
      started.put(app, System.nanoTime());
    }

    /** From now on the app counts as done once its object reaches this generation (and the phase's predicate holds). */
    void require(String app, long generation) {
      required.put(app, generation);
      latest.values().stream().filter(o -> o.getMetadata().getName().equals(app)).forEach(o -> check(o, System.nanoTime()));
    }

    void newPhase() {
      done = new ConcurrentHashMap<>();
      predicate = o -> false;
    }

    void awaitAll(String what, Predicate<HasMetadata> p) {
      predicate = p;
      latest.values().forEach(o -> check(o, System.nanoTime()));
      phase(what).until(() -> done.size() >= n);
    }

    List<Double> childrenLatencies(IntFunction<List<HasMetadata>> children) {
      phase("every child seen").until(() -> {
        for (int i = 0; i < n; i++) {
          for (HasMetadata c : children.apply(i)) if (!firstSeen.containsKey(key(c.getKind(), c.getMetadata().getName()))) return false;
        }
        return true;
      });
      List<Double> latencies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long last = children.apply(i).stream().mapToLong(c -> firstSeen.get(key(c.getKind(), c.getMetadata().getName()))).max().orElseThrow();
        latencies.add((last - started.get(name(i))) / 1e6);
      }
      return latencies;
    }

    private String key(String kind, String name) {
      return kind + "/" + name;
    }

    @Override
    public void close() {
      informers.forEach(SharedIndexInformer::close);
    }
  }

  private org.awaitility.core.ConditionFactory phase(String what) {
    return org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200));
  }

  // ---- what it costs

  /** Writes the API server has served so far, by resource, for the resources the operator writes. */
  private Map<String, Double> writes() {
    Map<String, Double> byResource = new TreeMap<>();
    Matcher m = REQUEST_TOTAL.matcher(kube.raw("/metrics"));
    while (m.find()) {
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(1));
      while (l.find()) labels.put(l.group(1), l.group(2));
      if (!WRITE_VERBS.contains(labels.get("verb")) || !OPERATOR_RESOURCES.contains(labels.get("resource"))) continue;
      String key = labels.get("verb") + " " + labels.get("resource")
          + (labels.getOrDefault("subresource", "").isEmpty() ? "" : "/" + labels.get("subresource"));
      byResource.merge(key, Double.parseDouble(m.group(2)), Double::sum);
    }
    return byResource;
  }

  /**
   * The writes the operator process has sent so far, by its own count
   * (appserver_operator_api_requests_total), leases aside as above.
   */
  private static Map<String, Double> ownWrites(OperatorProcess operator) {
    Map<String, Double> byResource = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^appserver_operator_api_requests_total\\{([^}]*)} (\\S+)$").matcher(operator.metrics());
    while (m.find()) {
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(1));
      while (l.find()) labels.put(l.group(1), l.group(2));
      if (!ApiRequests.isWrite(labels.get("verb")) || labels.get("resource").equals("leases")) continue;
      byResource.merge(labels.get("verb") + " " + labels.get("resource"), Double.parseDouble(m.group(2)), Double::sum);
    }
    return byResource;
  }

  private static Map<String, Double> diff(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new TreeMap<>();
    after.forEach((k, v) -> {
      double delta = v - before.getOrDefault(k, 0.0);
      if (delta > 0) d.put(k, delta);
    });
    return d;
  }

  private static double total(Map<String, Double> writes) {
    return writes.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** No reconcile running or queued (with a short resync and many AppServers, only for a moment). */
  private void awaitNothingQueued(OperatorProcess operator) {
    phase("the operator idle").until(() ->
        metricSum(operator, "operator_sdk_reconciliations_queue_size_appserver_operator") == 0
            && metricSum(operator, "operator_sdk_reconciliations_executions_appserver_operator") == 0);
  }

  private static double metricSum(OperatorProcess operator, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(operator.metrics());
    double sum = 0;
    while (m.find()) sum += Double.parseDouble(m.group(2));
    return sum;
  }

  private static double metric(OperatorProcess operator, String name, String labelFilter) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$").matcher(operator.metrics());
    double sum = 0;
    while (m.find()) if (m.group(1).contains(labelFilter)) sum += Double.parseDouble(m.group(2));
    return sum;
  }

  /** RSS now and at its peak, and the live heap after a full GC (jcmd GC.run), with what else the JVM holds. */
  private void memory(OperatorProcess operator, String when) throws Exception {
    long rss = status(operator.pid(), "VmRSS");
    long peak = status(operator.pid(), "VmHWM");
    var jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(operator.pid()), "GC.run").redirectErrorStream(true).start();
    jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) throw new IllegalStateException("jcmd GC.run failed");
    double heap = metric(operator, "jvm_memory_used_bytes", "area=\"heap\"");
    double committed = metric(operator, "jvm_memory_committed_bytes", "area=\"heap\"");
    double metaspace = metric(operator, "jvm_memory_used_bytes", "id=\"Metaspace\"");
    double code = metric(operator, "jvm_memory_used_bytes", "id=\"CodeHeap") + metric(operator, "jvm_memory_used_bytes", "id=\"CodeCache\"");
    double threads = metricSum(operator, "jvm_threads_live_threads");
    report.figure("operator RSS " + when + " (MiB, goal <= 150)", rss / 1024.0, Double.NaN);
    report.line("  %s: peak RSS %.0f MiB; live heap after full GC %.1f MiB (heap committed %.0f MiB), metaspace %.0f MiB, code %.0f MiB, %d threads",
        when, peak / 1024.0, heap / 1048576, committed / 1048576, metaspace / 1048576, code / 1048576, (int) threads);
  }

  /** A line of /proc/PID/status in kB. */
  private static long status(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D+", ""));
    }
    throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
  }

  private static double percentile(Collection<Double> values, int p) {
    if (values.isEmpty()) return Double.NaN;
    var sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  // ---- set-up and clean-up

  private void deleteNamespace(String ns) {
    kube.namespaces().withName(ns).delete();
    phase("namespace " + ns + " gone").until(() -> kube.namespaces().withName(ns).get() == null);
  }

  private void cleanUp() {
    pool.shutdownNow();
    for (String ns : List.of(DIRECT, OPERATED, SYSTEM)) kube.namespaces().withName(ns).delete();
    kube.close();
  }

  /** The figures as a table: the operator's, the direct baseline's, their ratio. */
  private static final class Report {
    private final StringBuilder text = new StringBuilder();

    void line(String format, Object... args) {
      String s = String.format(format, args);
      System.out.println(s);
      text.append(s).append('\n');
    }

    void figure(String what, double operator, double direct) {
      if (Double.isNaN(direct)) line("%-72s %10.2f", what, operator);
      else line("%-72s %10.2f   direct %10.2f   ratio %.2f", what, operator, direct, operator / direct);
    }

    void detail(Map<String, Double> writes) {
      if (!writes.isEmpty()) line("  by verb and resource: %s", writes);
    }

    void write(Path file) throws IOException {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    }
  }
}
