package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizingAdviceTest {
  private static final String AT = "2026-03-01T10:00:00Z";

  private static LoadReading measured(double rps, double cpu, double wall, Integer busy) {
    return new LoadReading(AdvisorState.MEASURED, AT, "5m", rps, cpu, wall, busy, null);
  }

  /** One process per pod and exactly {@code concurrency} threads, on one core: the in-flight figure is exact. */
  private static AppServerModel oneProcess(int concurrency) {
    return TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1"}}
        workers: {profile: io, count: 1, concurrency: %d}
        """.formatted(concurrency));
  }

  /** 1 core, 50 ms wall, 1 ms CPU: Little's figure 50, recommended 100. */
  @ParameterizedTest(name = "concurrency {0}: {1}")
  @CsvSource({
      "49, RAISE_CONCURRENCY, raise concurrency to 100",
      "50, OK, ok",
      "100, OK, ok",
      "200, OK, ok",
      "201, LOWER_CONCURRENCY, lower concurrency to 100"})
  void theVerdictTurnsAtAFactorOfTwoEitherWay(int concurrency, AdvisorVerdict verdict, String summary) {
    var s = SizingAdvice.advise(measured(100, 0.001, 0.05, 40), oneProcess(concurrency));
    assertThat(s.getRecommendedConcurrency()).isEqualTo(100);
    assertThat(s.getConcurrency()).isEqualTo(concurrency);
    assertThat(s.getVerdict()).isEqualTo(verdict);
    assertThat(s.getSummary()).isEqualTo(summary);
  }

  @Test
  void recommendationIsTwiceLittlesFigureRoundedUpToTwoDigits() {
    // The benchmark's /io route on 2 cores: 0.52 ms of CPU and 51 ms wall per request.
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: {profile: io, threads: 8}
        """);
    var s = SizingAdvice.advise(measured(2500, 0.00052, 0.051, 95), model);
    // 2 x 51 / 0.52 = 196.2 in flight at full CPU; twice that is 392.3, rounded up 393, to two digits 400.
    assertThat(s.getRecommendedConcurrency()).isEqualTo(400);
    assertThat(s.getCores()).isEqualTo(2.0);
    assertThat(s.getConcurrency()).isEqualTo(40);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
    assertThat(s.getMessage()).isEqualTo("2500 requests/s over 5m, each 0.52 ms of worker CPU and 51 ms wall, 95% busy."
        + " The CPU limit 2 is used up at 2 x 51 / 0.52 = 196 requests in flight per pod; recommended 400"
        + " (2 x that, rounded up). The pods serve 40 at once (5 gthread processes x 8 threads):"
        + " raise spec.workers.threads to 80 (5 processes x 80).");
  }

  /** The table of docs/sizing.md: the benchmark's /io sweep on 2 cores, each row's CPU per request, 51 ms wall. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      {profile: io, count: 5, threads: 8}   | 40   | 0.00048 | 430 | RAISE_CONCURRENCY
      {profile: io, count: 5, threads: 16}  | 80   | 0.00054 | 380 | RAISE_CONCURRENCY
      {profile: io, count: 2, threads: 64}  | 128  | 0.00048 | 430 | RAISE_CONCURRENCY
      {profile: io, count: 8, threads: 16}  | 128  | 0.0005  | 410 | RAISE_CONCURRENCY
      {profile: io, count: 5, threads: 32}  | 160  | 0.00047 | 440 | RAISE_CONCURRENCY
      {profile: io, count: 8, threads: 32}  | 256  | 0.00049 | 420 | OK
      {profile: io}                         | 320  | 0.00049 | 420 | OK
      {profile: io, count: 8, threads: 64}  | 512  | 0.00059 | 350 | OK
      {profile: io, workerClass: gevent}    | 5000 | 0.00044 | 470 | LOWER_CONCURRENCY
      {}                                    | 5    | 0.00091 | 230 | RAISE_CONCURRENCY
      """)
  void theBenchmarkSweepAsTheAdvisorReadsIt(String workers, int concurrency, double cpu, int recommended,
      AdvisorVerdict verdict) {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: %s
        """.formatted(workers));
    var s = SizingAdvice.advise(measured(2000, cpu, 0.051, 90), model);
    assertThat(s.getConcurrency()).isEqualTo(concurrency);
    assertThat(s.getRecommendedConcurrency()).isEqualTo(recommended);
    assertThat(s.getVerdict()).isEqualTo(verdict);
  }

  /** The status example of docs/configuration.md. */
  @Test
  void theStatusExampleOfTheDocs() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2", memory: 1Gi}}
        workers: {workerClass: gthread, threads: 4, memoryPerWorker: 256Mi}
        """);
    var s = SizingAdvice.advise(measured(240, 0.0061, 0.045, 35), model);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.OK);
    assertThat(s.getRecommendedConcurrency()).isEqualTo(30);
    assertThat(s.getMessage()).isEqualTo("240 requests/s over 5m, each 6.1 ms of worker CPU and 45 ms wall, 35% busy."
        + " The CPU limit 2 is used up at 2 x 45 / 6.1 = 15 requests in flight per pod; recommended 30 (2 x that,"
        + " rounded up). The pods serve 16 at once (4 gthread processes x 4 threads): that fits, within a factor of 2.");
  }

  @Test
  void roundingUpKeepsSmallFiguresWholeAndLargeOnesAtTwoDigits() {
    assertThat(SizingAdvice.roundUp(new BigDecimal("0.3"))).isEqualTo(1);
    assertThat(SizingAdvice.roundUp(new BigDecimal("3.5"))).isEqualTo(4);
    assertThat(SizingAdvice.roundUp(new BigDecimal("10"))).isEqualTo(10);
    assertThat(SizingAdvice.roundUp(new BigDecimal("387.2"))).isEqualTo(390);
    assertThat(SizingAdvice.roundUp(new BigDecimal("390"))).isEqualTo(390);
    assertThat(SizingAdvice.roundUp(new BigDecimal("12345"))).isEqualTo(13000);
    assertThat(SizingAdvice.roundUp(new BigDecimal("1e12"))).isEqualTo(SizingAdvice.MAX_RECOMMENDATION);
  }

  @ParameterizedTest(name = "{0} -> {1} cores")
  @CsvSource(delimiter = '|', textBlock = """
      {limits: {cpu: 500m}, requests: {cpu: 250m}} | 0.5 | 2 | The CPU limit 500m is used up at 0.5 x 10 / 5 = 1 requests
      {requests: {cpu: "2"}}                       | 2.0 | 8 | The CPU request 2 is used up at 2 x 10 / 5 = 4 requests
      {}                                           | 1.0 | 4 | 1 core (no CPU limit or request) is used up at 1 x 10 / 5 = 2 requests
      """)
  void coresAreTheLimitElseTheRequestElseOne(String resources, double cores, int recommended, String text) {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: %s
        """.formatted(resources));
    // 10 ms wall over 5 ms CPU: Little's figure is twice the cores.
    var s = SizingAdvice.advise(measured(50, 0.005, 0.01, 10), model);
    assertThat(s.getCores()).isEqualTo(cores);
    assertThat(s.getRecommendedConcurrency()).isEqualTo(recommended);
    assertThat(s.getMessage()).contains(text);
  }

  @Test
  void syncWorkersThatWaitAreToldAboutProfileIo() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        """);
    var s = SizingAdvice.advise(measured(96, 0.0009, 0.051, 100), model);
    assertThat(s.getConcurrency()).isEqualTo(5);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
    assertThat(s.getSummary()).isEqualTo("raise concurrency to 230");
    assertThat(s.getMessage()).endsWith("The pods serve 5 at once (5 sync processes): raise it to 230: spec.workers"
        + " {profile: io, concurrency: 230} for a thread-safe application, else more sync workers with spec.workers.count.");
  }

  @Test
  void cpuBoundSyncWorkersAsTheFormulaSizesThemFit() {
    // /cpu of the benchmark: 5.6 ms of worker CPU, about as much wall time. 2 cores: 5 sync workers.
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        """);
    var s = SizingAdvice.advise(measured(330, 0.0056, 0.0057, 90), model);
    assertThat(s.getRecommendedConcurrency()).isEqualTo(5);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.OK);
    assertThat(s.getMessage()).endsWith("The pods serve 5 at once (5 sync processes): that fits, within a factor of 2.");
  }

  @Test
  void tooManySyncWorkersAreToldToLowerTheCount() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1"}}
        workers: {count: 16}
        """);
    var s = SizingAdvice.advise(measured(170, 0.0056, 0.0057, 90), model);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.LOWER_CONCURRENCY);
    assertThat(s.getSummary()).isEqualTo("lower concurrency to 3");
    assertThat(s.getMessage()).endsWith(": lower spec.workers.count to 3.");
  }

  @Test
  void geventWithGunicornsThousandConnectionsIsToldToLowerConcurrency() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: {profile: io, workerClass: gevent}
        """);
    var s = SizingAdvice.advise(measured(1972, 0.00044, 0.051, 5), model);
    assertThat(s.getConcurrency()).isEqualTo(5000);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.LOWER_CONCURRENCY);
    assertThat(s.getSummary()).isEqualTo("lower concurrency to 470");
    assertThat(s.getMessage()).endsWith("The pods serve 5000 at once (5 gevent processes x 1000 connections):"
        + " lower spec.workers.concurrency to 470.");
  }

  @Test
  void gthreadUnderProfileIoIsToldTheConcurrency() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: {profile: io, concurrency: 40}
        """);
    var s = SizingAdvice.advise(measured(2000, 0.0005, 0.05, 100), model);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
    assertThat(s.getMessage()).endsWith(": raise spec.workers.concurrency to 400.");
  }

  @Test
  void aRecommendationBeyondWhatConcurrencyAllowsSaysSo() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: {profile: io, concurrency: 100}
        """);
    // An LLM call: 20 s of waiting for 5 ms of CPU.
    var s = SizingAdvice.advise(measured(10, 0.005, 20, 100), model);
    assertThat(s.getRecommendedConcurrency()).isEqualTo(16000);
    assertThat(s.getSummary()).isEqualTo("raise concurrency to 16000");
    assertThat(s.getMessage()).endsWith(": raise spec.workers.concurrency to 16000 (more than spec.workers.concurrency"
        + " allows, 1024: set that and add pods, or use workerClass uvicorn).");
  }

  @Test
  void uvicornIsNotCappedByGunicornAndGetsAFigureForTheApplication() {
    var model = TestAppServers.model("""
        image: example/app:1
        app: app:asgi
        resources: {limits: {cpu: "1"}}
        workers: {profile: io, workerClass: uvicorn}
        """);
    var s = SizingAdvice.advise(measured(4000, 0.00013, 0.051, 1), model);
    assertThat(s.getConcurrency()).isNull();
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.NOT_CAPPED);
    assertThat(s.getSummary()).isEqualTo("not capped");
    assertThat(s.getRecommendedConcurrency()).isEqualTo(790);
    assertThat(s.getMessage()).endsWith("Gunicorn does not cap the requests in flight of 3 uvicorn processes:"
        + " keep the application to about 790 requests at once per pod.");
  }

  @Test
  void staleFiguresKeepTheirVerdictButTheSummarySaysWhy() {
    var reading = new LoadReading(AdvisorState.NOT_ENOUGH_TRAFFIC, AT, "5m", 100.0, 0.001, 0.05, 2,
        "fewer than 1000 requests per pod in the last 5m");
    var s = SizingAdvice.advise(reading, oneProcess(10));
    assertThat(s.getState()).isEqualTo(AdvisorState.NOT_ENOUGH_TRAFFIC);
    assertThat(s.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
    assertThat(s.getSummary()).isEqualTo("low traffic");
    assertThat(s.getBusyPercent()).isEqualTo(2);
    assertThat(s.getMessage()).startsWith("fewer than 1000 requests per pod in the last 5m; as last measured ("
        + AT + "): 100 requests/s over 5m");
  }

  @Test
  void withoutFiguresThereIsNoVerdict() {
    var reading = new LoadReading(AdvisorState.UNAVAILABLE, null, "5m", null, null, null, null,
        "Prometheus unavailable: HTTP 503");
    var s = SizingAdvice.advise(reading, oneProcess(10));
    assertThat(s.getVerdict()).isNull();
    assertThat(s.getRecommendedConcurrency()).isNull();
    assertThat(s.getSummary()).isEqualTo("unavailable");
    assertThat(s.getMessage()).isEqualTo("Prometheus unavailable: HTTP 503; no figures to advise from yet");
  }

  @Test
  void theStatusReadsBackAsTheReadingItCameFrom() {
    var reading = measured(2500, 0.00052, 0.051, 61);
    var s = SizingAdvice.advise(reading, oneProcess(10));
    assertThat(LoadReading.of(s)).isEqualTo(reading);
  }
}
