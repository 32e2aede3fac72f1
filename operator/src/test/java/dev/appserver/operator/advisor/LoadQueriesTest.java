package dev.appserver.operator.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import dev.appserver.operator.model.LoadReading;
import dev.appserver.operator.model.Measurement;
import dev.appserver.operator.model.SizingAdvice;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadQueriesTest {
  private static final Instant AT = Instant.parse("2026-12-01T17:32:15.311Z");

  @Test
  void theQueriesAreTheOnesARealPrometheusAnswered() {
    var queries = new LoadQueries(Duration.ofMinutes(2), Set.of());
    assertThat(queries.all()).containsExactlyElementsOf(FakePrometheus.recorded("queries.txt").lines().toList());
  }

  @Test
  void watchedNamespacesNarrowEveryQuery() {
    var queries = new LoadQueries(Duration.ofMinutes(5), new LinkedHashSet<>(List.of("team-a", "team-b")));
    assertThat(queries.all()).hasSize(5).allSatisfy(q -> assertThat(q)
        .contains("{appserver!=\"\",namespace=~\"team-a|team-b\"}").contains("[5m"));
  }

  @Test
  void theFiveAnswersAreJoinedByAppServer() throws Exception {
    try (var prometheus = new FakePrometheus()) {
      prometheus.answer = FakePrometheus::recordedAnswerTo;
      var measured = new LoadQueries(Duration.ofMinutes(2), Set.of())
          .measure(new PrometheusClient(prometheus.url(), Duration.ofSeconds(5)), AT);
      assertThat(measured).containsOnlyKeys(new ResourceID("web", "shop"), new ResourceID("worker", "shop"));
      assertThat(measured.get(new ResourceID("web", "shop")))
          .isEqualTo(new Measurement(666.6525423728814, 37.12467730455936, 0.5945762711864406, 40, 1));
      assertThat(prometheus.requests).hasSize(5)
          .allSatisfy(r -> assertThat(r.params().get("time")).isEqualTo("1796146335.311"));
    }
  }

  /** The recorded gthread server (5 x 8 threads, /io under 60 connections) as a 2-core AppServer. */
  @Test
  void theRecordedGthreadServerIsToldToRaiseItsThreads() throws Exception {
    try (var prometheus = new FakePrometheus()) {
      prometheus.answer = FakePrometheus::recordedAnswerTo;
      var m = new LoadQueries(Duration.ofMinutes(2), Set.of())
          .measure(new PrometheusClient(prometheus.url(), Duration.ofSeconds(5)), AT).get(new ResourceID("web", "shop"));
      var reading = LoadReading.measured(m, null, AT, Duration.ofMinutes(2), 1000);
      assertThat(reading.requestsPerSecond()).isEqualTo(670.0);
      assertThat(reading.cpuSecondsPerRequest()).isEqualTo(0.00089);
      assertThat(reading.wallSecondsPerRequest()).isEqualTo(0.056);
      assertThat(reading.busyPercent()).isEqualTo(93);
      var advice = SizingAdvice.advise(reading, TestAppServers.model("""
          image: example/app:1
          app: app:app
          resources: {limits: {cpu: "2"}}
          workers: {profile: io, threads: 8}
          """));
      // 2 x 56 / 0.89 = 126 in flight at full CPU; twice that, 252, rounded up to 260.
      assertThat(advice.getRecommendedConcurrency()).isEqualTo(260);
      assertThat(advice.getVerdict()).isEqualTo(AdvisorVerdict.RAISE_CONCURRENCY);
      assertThat(advice.getMessage()).endsWith(": raise spec.workers.threads to 52 (5 processes x 52).");
    }
  }
}
