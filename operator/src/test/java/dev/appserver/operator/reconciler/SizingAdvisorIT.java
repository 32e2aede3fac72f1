package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.advisor.FakePrometheus;
import dev.appserver.operator.advisor.FakePrometheus.Answer;
import dev.appserver.operator.advisor.SizingAdvisor;
import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AdvisorStatus;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.ops.AdvisorSettings;
import dev.appserver.operator.ops.OperatorMetrics;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sizing advisor in the reconciler, against fabric8's mock API server and a Prometheus double
 * at the HTTP level: its figures reach status.advisor, a verdict change is one Event, and figures
 * that do not move write nothing.
 */
@EnableKubernetesMockClient(crud = true)
class SizingAdvisorIT {
  static KubernetesClient client;

  private final RecordingEvents events = new RecordingEvents();
  private FakePrometheus prometheus;
  private Operator operator;
  private SizingAdvisor advisor;
  private String ns;

  /** What the pods of web do; the double answers the advisor's queries from it, each figure off by up to {@code jitter}. */
  private volatile double rps = 100;
  private volatile double cpu = 0.001;
  private volatile double wall = 0.05;
  private volatile double jitter = 0;

  @BeforeEach
  void setUp() throws Exception {
    ns = "advisor-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    prometheus = new FakePrometheus();
    prometheus.answer = this::answer;
  }

  private void startOperator(SizingAdvisor advisor) {
    this.advisor = advisor;
    var reconciler = new AppServerReconciler(new AppServerValidator(Admission.fromClasspath()), events,
        (model, service, path, timeout) -> java.util.concurrent.CompletableFuture.completedFuture(
            new PromotionCheck.Answer(true, "HTTP 200")), Clock.systemUTC(), OperatorMetrics.NOOP, OperatorSettings.NONE, advisor);
    operator = MockServer.operator(client);
    operator.register(reconciler, c -> c.settingNamespace(ns));
    operator.start();
  }

  private SizingAdvisor advisorOf(java.net.URI url) {
    return SizingAdvisor.of(Optional.of(url), new AdvisorSettings(true, Duration.ofMillis(300), Duration.ofMinutes(2), 1000),
        Set.of(ns), () -> true, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    if (operator != null) operator.stop();
    prometheus.close();
    client.resources(AppServer.class).inNamespace(ns).delete();
    client.apps().deployments().inNamespace(ns).delete();
    client.configMaps().inNamespace(ns).delete();
    client.services().inNamespace(ns).delete();
  }

  private Answer answer(String query) {
    double value = query.contains("_count") ? rps
        : query.contains("duration_seconds_sum") ? rps * wall
        : query.contains("worker_cpu") ? rps * cpu
        : query.contains("count by") ? 1
        : query.contains("gunicorn_capacity") ? 10 : Double.NaN;
    value *= 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Answer.ok(String.format(Locale.ROOT, """
        {"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"appserver":"web","namespace":"%s"},"value":[1796146335.311,"%s"]}]}}""", ns, value));
  }

  /** One gthread process of 10 threads on one core: 10 in flight per pod. */
  private void createWeb() {
    var a = TestAppServers.parse("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1"}}
        workers: {profile: io, count: 1, concurrency: 10}
        """);
    a.getMetadata().setNamespace(ns);
    client.resource(a).create();
  }

  private AppServer web() {
    return client.resources(AppServer.class).inNamespace(ns).withName("web").get();
  }

  private AdvisorStatus advice() {
    var a = web();
    return a == null || a.getStatus() == null ? null : a.getStatus().getAdvisor();
  }

  private long eventsWith(String reason) {
    return events.events.stream().filter(e -> e.reason().equals(reason)).count();
  }

  /** Until the advisor has looked {@code looks} more times (five queries a look). */
  private void awaitLooks(int looks) {
    int target = prometheus.count() + 5 * looks;
    await().atMost(Duration.ofSeconds(30)).until(() -> prometheus.count() >= target);
  }

  @Test
  void theAdviceReachesStatusAndAnEventOnceAndSteadyFiguresWriteNothing() {
    startOperator(advisorOf(prometheus.url()));
    createWeb();
    // 1 core x 50 ms / 1 ms = 50 in flight at full CPU, recommended 100; the pod serves 10.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var s = advice();
      assertThat(s).isNotNull();
      assertThat(s.getState()).isEqualTo(AdvisorState.MEASURED);
      assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
      assertThat(s.getSummary()).isEqualTo("raise concurrency to 100");
      assertThat(s.getConcurrency()).isEqualTo(10);
      assertThat(s.getRequestsPerSecond()).isEqualTo(100.0);
      assertThat(s.getBusyPercent()).isEqualTo(50);
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> eventsWith(EventReason.RaiseConcurrency.name()) == 1);
    assertThat(events.events).filteredOn(e -> e.reason().equals(EventReason.RaiseConcurrency.name())).singleElement()
        .satisfies(e -> assertThat(e.message()).endsWith("raise spec.workers.concurrency to 100."));

    // Traffic that wobbles by up to 5% rewrites nothing, look after look.
    jitter = 0.05;
    awaitLooks(2);
    String version = web().getMetadata().getResourceVersion();
    awaitLooks(8);
    assertThat(web().getMetadata().getResourceVersion()).as("no status write while the figures stay within a fifth")
        .isEqualTo(version);
    assertThat(eventsWith(EventReason.RaiseConcurrency.name())).isEqualTo(1);

    // The waits get shorter: 10 ms over 1 ms on one core is 10 in flight, recommended 20, and 10 fits.
    jitter = 0;
    wall = 0.01;
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(advice().getVerdict()).isEqualTo(AdvisorVerdict.OK);
      assertThat(advice().getRecommendedConcurrency()).isEqualTo(20);
      assertThat(advice().getSummary()).isEqualTo("ok");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> eventsWith(EventReason.ConcurrencyFits.name()) == 1);
    assertThat(web().getMetadata().getResourceVersion()).isNotEqualTo(version);
  }

  @Test
  void aRestartedOperatorWritesNothingWhileTheFiguresStay() {
    startOperator(advisorOf(prometheus.url()));
    createWeb();
    await().atMost(Duration.ofSeconds(30)).until(() -> advice() != null && advice().getState() == AdvisorState.MEASURED);
    awaitLooks(2);
    operator.stop();
    String version = web().getMetadata().getResourceVersion();
    AdvisorStatus before = advice();

    jitter = 0.05;
    startOperator(advisorOf(prometheus.url()));
    awaitLooks(6);
    assertThat(advisor.reading(web())).as("the new process has read Prometheus").isPresent();
    assertThat(web().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(advice()).isEqualTo(before);
    assertThat(eventsWith(EventReason.RaiseConcurrency.name())).as("the verdict did not change, so no second Event").isEqualTo(1);
  }

  @Test
  void aPrometheusThatFailsIsReportedAndNeverFailsTheReconcile() {
    prometheus.answer = q -> new Answer(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"starting\"}");
    startOperator(advisorOf(prometheus.url()));
    createWeb();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var s = advice();
      assertThat(s).isNotNull();
      assertThat(s.getState()).isEqualTo(AdvisorState.UNAVAILABLE);
      assertThat(s.getSummary()).isEqualTo("unavailable");
      assertThat(s.getMessage()).isEqualTo("Prometheus unavailable: HTTP 503; no figures to advise from yet");
    });
    assertThat(client.apps().deployments().inNamespace(ns).withName("web").get()).as("the reconcile went on").isNotNull();
    assertThat(web().getStatus().getPhase()).isNotEqualTo("Degraded");

    prometheus.answer = this::answer;
    await().atMost(Duration.ofSeconds(30)).until(() -> advice().getState() == AdvisorState.MEASURED);
  }

  @Test
  void aDeletedAppServerLeavesNoReadingBehind() {
    startOperator(advisorOf(prometheus.url()));
    createWeb();
    await().atMost(Duration.ofSeconds(30)).until(() -> advice() != null);
    AppServer gone = web();
    assertThat(advisor.reading(gone)).isPresent();
    client.resources(AppServer.class).inNamespace(ns).withName("web").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> advisor.reading(gone).isEmpty());
  }

  @Test
  void withoutAPrometheusTheStatusSaysNothingOfSizingAdvice() {
    startOperator(SizingAdvisor.off());
    createWeb();
    await().atMost(Duration.ofSeconds(30)).until(() -> web().getStatus() != null && web().getStatus().getWorkers() != null);
    assertThat(advice()).isNull();
    assertThat(prometheus.count()).isZero();
  }
}
