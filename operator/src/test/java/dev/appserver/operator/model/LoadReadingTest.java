package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.api.v1alpha1.AdvisorState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadReadingTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.400Z");
  private static final Instant T1 = Instant.parse("2026-03-01T10:01:00Z");
  private static final Duration W = Duration.ofMinutes(5);

  /** {@code rps} requests per second taking {@code cpu} and {@code wall} seconds each, on {@code pods} pods of 40 slots. */
  private static Measurement m(double rps, double cpu, double wall, double pods) {
    return new Measurement(rps, rps * wall, rps * cpu, 40 * pods, pods);
  }

  private static LoadReading first(Measurement m) {
    return LoadReading.measured(m, null, T0, W, 1000);
  }

  @Test
  void figuresAreRoundedToTwoDigitsAndStampedToTheSecond() {
    var r = first(m(2516, 0.000523, 0.05087, 2));
    assertThat(r.state()).isEqualTo(AdvisorState.MEASURED);
    assertThat(r.requestsPerSecond()).isEqualTo(2500.0);
    assertThat(r.cpuSecondsPerRequest()).isEqualTo(0.00052);
    assertThat(r.wallSecondsPerRequest()).isEqualTo(0.051);
    // 2516 x 0.05087 = 128 in flight on 80 slots.
    assertThat(r.busyPercent()).isEqualTo(160);
    assertThat(r.measuredAt()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(r.window()).isEqualTo("5m");
    assertThat(r.note()).isNull();
  }

  @Test
  void theMinimumIsPerPod() {
    // 1,500 requests in 5 minutes: enough for one pod, not for two (750 each).
    double rps = 1500.0 / 300;
    assertThat(first(m(rps, 0.001, 0.05, 1)).state()).isEqualTo(AdvisorState.MEASURED);
    var two = first(m(rps, 0.001, 5, 2));
    assertThat(two.state()).isEqualTo(AdvisorState.NOT_ENOUGH_TRAFFIC);
    assertThat(two.note()).isEqualTo("fewer than 1000 requests per pod in the last 5m");
    assertThat(two.hasFigures()).isFalse();
    assertThat(two.busyPercent()).as("how busy the pods are does not need many requests").isEqualTo(31);
  }

  @Test
  void lowTrafficKeepsTheLastFigures() {
    var busy = first(m(100, 0.001, 0.05, 1));
    var quiet = LoadReading.measured(m(1, 0.004, 0.05, 1), busy, T1, W, 1000);
    assertThat(quiet.state()).isEqualTo(AdvisorState.NOT_ENOUGH_TRAFFIC);
    assertThat(quiet.measuredAt()).isEqualTo(busy.measuredAt());
    assertThat(quiet.cpuSecondsPerRequest()).isEqualTo(0.001);
    assertThat(quiet.requestsPerSecond()).isEqualTo(100.0);
    assertThat(quiet.busyPercent()).isEqualTo(0);
  }

  @Test
  void figuresThatMoveByAFifthOrLessStayAsTheyWere() {
    var r0 = first(m(100, 0.001, 0.05, 1));
    var r1 = LoadReading.measured(m(119, 0.00081, 0.059, 1), r0, T1, W, 1000);
    assertThat(r1).isEqualTo(r0);
    var r2 = LoadReading.measured(m(100, 0.00125, 0.05, 1), r0, T1, W, 1000);
    assertThat(r2.cpuSecondsPerRequest()).isEqualTo(0.0013);
    assertThat(r2.measuredAt()).isEqualTo("2026-03-01T10:01:00Z");
  }

  @Test
  void busyMovesInStepsOfTenPoints() {
    var r0 = first(m(100, 0.001, 0.2, 1));
    assertThat(r0.busyPercent()).isEqualTo(50);
    var r1 = LoadReading.measured(new Measurement(100, 23.6, 0.1, 40, 1), r0, T1, W, 1000);
    assertThat(r1.busyPercent()).isEqualTo(50);
    var r2 = LoadReading.measured(new Measurement(100, 24, 0.1, 40, 1), r0, T1, W, 1000);
    assertThat(r2.busyPercent()).isEqualTo(60);
  }

  @Test
  void withoutCapacityThereIsNoBusyFigure() {
    var r = first(new Measurement(100, 5, 0.1, Double.NaN, Double.NaN));
    assertThat(r.busyPercent()).isNull();
    assertThat(r.state()).as("no pod count: taken as one pod").isEqualTo(AdvisorState.MEASURED);
  }

  @Test
  void noWorkerCpuTimeIsNoMetrics() {
    var r = first(new Measurement(100, 5, 0, 40, 1));
    assertThat(r.state()).isEqualTo(AdvisorState.NO_METRICS);
    assertThat(r.hasFigures()).isFalse();
    assertThat(r.note()).contains("no worker CPU time");
  }

  @Test
  void noSeriesAndAnUnavailablePrometheusKeepTheLastFiguresWithoutBusy() {
    var r0 = first(m(100, 0.001, 0.05, 1));
    var gone = LoadReading.noMetrics(r0, W);
    assertThat(gone.state()).isEqualTo(AdvisorState.NO_METRICS);
    assertThat(gone.cpuSecondsPerRequest()).isEqualTo(0.001);
    assertThat(gone.busyPercent()).isNull();
    var down = LoadReading.unavailable(r0, W, "HTTP 503");
    assertThat(down.state()).isEqualTo(AdvisorState.UNAVAILABLE);
    assertThat(down.note()).isEqualTo("Prometheus unavailable: HTTP 503");
    assertThat(down.measuredAt()).isEqualTo(r0.measuredAt());
    assertThat(LoadReading.unavailable(null, W, "HTTP 503").hasFigures()).isFalse();
  }

  @Test
  void windowsAreWrittenAsPromqlDoes() {
    assertThat(LoadReading.promDuration(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(LoadReading.promDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(LoadReading.promDuration(Duration.ofHours(1))).isEqualTo("1h");
  }
}
