package dev.appserver.operator.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.advisor.FakePrometheus.Answer;
import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.model.LoadReading;
import dev.appserver.operator.model.SizingAdvice;
import dev.appserver.operator.ops.AdvisorSettings;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One look of the advisor at a Prometheus double that serves recorded answers. */
class SizingAdvisorTest {
  private static final Instant AT = Instant.parse("2026-12-01T17:32:15.311Z");
  private static final Duration WINDOW = Duration.ofMinutes(2);
  private FakePrometheus prometheus;
  private SizingAdvisor advisor;
  private SizingAdvisor.Problems problems;

  @BeforeEach
  void start() throws Exception {
    prometheus = new FakePrometheus();
    prometheus.answer = FakePrometheus::recordedAnswerTo;
    advisor = SizingAdvisor.of(Optional.of(prometheus.url()), new AdvisorSettings(true, Duration.ofSeconds(5), WINDOW, 1000),
        Set.of(), () -> true, Clock.fixed(AT, ZoneOffset.UTC));
    problems = advisor.new Problems();
  }

  @AfterEach
  void stop() {
    prometheus.close();
  }

  private static AppServer appServer(String name) {
    var a = TestAppServers.parse("""
        image: example/app:1
        app: app:app
        """);
    a.getMetadata().setName(name);
    return a;
  }

  private static LoadReading only(Map<ResourceID, java.util.Set<LoadReading>> readings, String name) {
    return readings.get(new ResourceID(name, "shop")).iterator().next();
  }

  @Test
  void everyAppServerThatExistsGetsAReadingAndNoOtherDoes() throws Exception {
    var readings = advisor.look(List.of(appServer("web"), appServer("quiet")), Map.of(), problems);
    assertThat(readings).as("worker is in Prometheus, but no AppServer of that name exists")
        .containsOnlyKeys(new ResourceID("web", "shop"), new ResourceID("quiet", "shop"));
    assertThat(only(readings, "web").state()).isEqualTo(AdvisorState.MEASURED);
    assertThat(only(readings, "web").cpuSecondsPerRequest()).isEqualTo(0.00089);
    assertThat(only(readings, "quiet").state()).isEqualTo(AdvisorState.NO_METRICS);
  }

  @Test
  void aLookCostsFiveQueriesHoweverManyAppServersThereAre() throws Exception {
    List<AppServer> many = new ArrayList<>(IntStream.range(0, 1000).mapToObj(i -> appServer("app-" + i)).toList());
    many.add(appServer("web"));
    var readings = advisor.look(many, Map.of(), problems);
    assertThat(readings).hasSize(1001);
    assertThat(prometheus.count()).isEqualTo(5);
  }

  @Test
  void prometheusMustFailThreeLooksInARowBeforeReadingsSaySo() throws Exception {
    var first = advisor.look(List.of(appServer("web")), Map.of(), problems);
    var last = Map.of(new ResourceID("web", "shop"), only(first, "web"));
    prometheus.answer = q -> new Answer(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too busy\"}");
    assertThat(advisor.look(List.of(appServer("web")), last, problems)).as("first failure: nothing changes").isNull();
    assertThat(advisor.look(List.of(appServer("web")), last, problems)).as("second failure").isNull();
    var down = only(advisor.look(List.of(appServer("web")), last, problems), "web");
    assertThat(down.state()).isEqualTo(AdvisorState.UNAVAILABLE);
    assertThat(down.note()).isEqualTo("Prometheus unavailable: HTTP 503");
    assertThat(down.cpuSecondsPerRequest()).as("the last figures are kept").isEqualTo(0.00089);

    prometheus.answer = FakePrometheus::recordedAnswerTo;
    assertThat(only(advisor.look(List.of(appServer("web")), Map.of(), problems), "web").state()).isEqualTo(AdvisorState.MEASURED);
    prometheus.answer = q -> new Answer(503, "{}");
    assertThat(advisor.look(List.of(appServer("web")), last, problems)).as("the count starts again after a success").isNull();
  }

  @Test
  void itRunsOnlyWithAPrometheusAndWhenNotTurnedOff() {
    assertThat(advisor.enabled()).isTrue();
    assertThat(SizingAdvisor.of(Optional.empty(), AdvisorSettings.defaults(), Set.of(), () -> true, Clock.systemUTC()).enabled())
        .isFalse();
    var off = new AdvisorSettings(false, Duration.ofSeconds(5), WINDOW, 1000);
    assertThat(SizingAdvisor.of(Optional.of(prometheus.url()), off, Set.of(), () -> true, Clock.systemUTC()).enabled()).isFalse();
    assertThat(SizingAdvisor.off().eventSource(null)).isEmpty();
  }

  @Test
  void afterARestartFiguresCloseToWhatTheStatusShowsAreKeptAsTheyAre() throws Exception {
    // Stored a while ago: within a fifth of what Prometheus says now (0.00089 s CPU, 0.056 s wall, 670 requests/s).
    var stored = new LoadReading(AdvisorState.MEASURED, "2026-12-01T16:00:00Z", "2m", 700.0, 0.00095, 0.052, 90, null);
    var web = appServer("web");
    web.setStatus(new AppServerStatus());
    web.getStatus().setAdvisor(SizingAdvice.advise(stored, TestAppServers.minimal()));
    var reading = only(advisor.look(List.of(web), new HashMap<>(), problems), "web");
    assertThat(reading).isEqualTo(stored);
  }
}
