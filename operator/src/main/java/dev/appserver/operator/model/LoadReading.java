package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AdvisorStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What the sizing advisor tells the reconciler about one AppServer: its per-request figures, how
 * busy its pods are, and how fresh that is. Readings are settled against the previous one, so
 * that figures which move by less than {@link #FIGURE_TOLERANCE} (busy: {@link #BUSY_TOLERANCE}
 * points) stay as they were and an AppServer whose traffic does not change gets no status write.
 *
 * @param state how fresh the figures are
 * @param measuredAt when the per-request figures were measured (they last moved), or null
 * @param window the rate window, in PromQL's notation
 * @param requestsPerSecond requests per second of all the pods, rounded to two significant digits, or null
 * @param cpuSecondsPerRequest worker CPU per request, two significant digits, or null
 * @param wallSecondsPerRequest wall time per request, two significant digits, or null
 * @param busyPercent requests in flight against capacity, in percent, or null
 * @param note why the figures are not current (null when they are)
 */
public record LoadReading(
    AdvisorState state, String measuredAt, String window, Double requestsPerSecond, Double cpuSecondsPerRequest,
    Double wallSecondsPerRequest, Integer busyPercent, String note) {

  /** A per-request figure is rewritten when it moves by more than this fraction of its value. */
  public static final double FIGURE_TOLERANCE = 0.2;
  /** busyPercent is rewritten when it moves by this many points or more. */
  public static final int BUSY_TOLERANCE = 10;

  private static final MathContext TWO_DIGITS = new MathContext(2, RoundingMode.HALF_EVEN);

  /** True when there are per-request figures to advise from. */
  public boolean hasFigures() {
    return cpuSecondsPerRequest != null && wallSecondsPerRequest != null && cpuSecondsPerRequest > 0;
  }

  /** The reading a stored status shows (after a restart, the baseline new measurements are settled against). */
  public static LoadReading of(AdvisorStatus status) {
    if (status == null || status.getState() == null) return null;
    return new LoadReading(status.getState(), status.getMeasuredAt(), status.getWindow(), status.getRequestsPerSecond(),
        status.getCpuSecondsPerRequest(), status.getWallSecondsPerRequest(), status.getBusyPercent(), null);
  }

  /**
   * A measurement from Prometheus, settled against the previous reading.
   *
   * @param previous the last reading of this AppServer, or null
   * @param minRequestsPerPod fewer requests per pod in the window give no new per-request figures
   */
  public static LoadReading measured(Measurement m, LoadReading previous, Instant now, Duration window,
      long minRequestsPerPod) {
    String windowText = promDuration(window);
    Integer busy = settleBusy(previous, busyPercent(m));
    double pods = Double.isFinite(m.pods()) && m.pods() >= 1 ? m.pods() : 1;
    double requests = finite(m.requestsPerSecond()) * window.toSeconds();
    if (requests / pods < minRequestsPerPod) {
      return kept(AdvisorState.NOT_ENOUGH_TRAFFIC, previous, windowText, busy,
          "fewer than " + minRequestsPerPod + " requests per pod in the last " + windowText);
    }
    double rps = m.requestsPerSecond();
    double cpu = m.cpuSecondsPerSecond() / rps;
    double wall = m.wallSecondsPerSecond() / rps;
    if (!(cpu > 0) || !(wall > 0) || !Double.isFinite(cpu) || !Double.isFinite(wall)) {
      return kept(AdvisorState.NO_METRICS, previous, windowText, busy,
          "no worker CPU time or request durations for this AppServer in Prometheus");
    }
    if (previous != null && previous.hasFigures() && close(rps, previous.requestsPerSecond())
        && close(cpu, previous.cpuSecondsPerRequest()) && close(wall, previous.wallSecondsPerRequest())) {
      return new LoadReading(AdvisorState.MEASURED, previous.measuredAt(), windowText, previous.requestsPerSecond(),
          previous.cpuSecondsPerRequest(), previous.wallSecondsPerRequest(), busy, null);
    }
    return new LoadReading(AdvisorState.MEASURED, now.truncatedTo(ChronoUnit.SECONDS).toString(), windowText,
        round(rps), round(cpu), round(wall), busy, null);
  }

  /** Prometheus has no series of this AppServer. */
  public static LoadReading noMetrics(LoadReading previous, Duration window) {
    return kept(AdvisorState.NO_METRICS, previous, promDuration(window), null,
        "no Gunicorn metrics for this AppServer in Prometheus");
  }

  /** Prometheus did not answer (as it should) for some time. */
  public static LoadReading unavailable(LoadReading previous, Duration window, String why) {
    return kept(AdvisorState.UNAVAILABLE, previous, promDuration(window), null, "Prometheus unavailable: " + why);
  }

  private static LoadReading kept(AdvisorState state, LoadReading previous, String window, Integer busy, String note) {
    if (previous == null || !previous.hasFigures()) return new LoadReading(state, null, window, null, null, null, busy, note);
    return new LoadReading(state, previous.measuredAt(), window, previous.requestsPerSecond(),
        previous.cpuSecondsPerRequest(), previous.wallSecondsPerRequest(), busy, note);
  }

  private static Integer busyPercent(Measurement m) {
    if (!(m.capacity() > 0) || !Double.isFinite(m.wallSecondsPerSecond())) return null;
    return (int) Math.round(100 * m.wallSecondsPerSecond() / m.capacity());
  }

  private static Integer settleBusy(LoadReading previous, Integer fresh) {
    if (fresh == null || previous == null || previous.busyPercent() == null) return fresh;
    return Math.abs(fresh - previous.busyPercent()) < BUSY_TOLERANCE ? previous.busyPercent() : fresh;
  }

  private static boolean close(double fresh, Double previous) {
    return previous != null && previous > 0 && Math.abs(fresh - previous) <= FIGURE_TOLERANCE * previous;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** Two significant digits: the resolution the advice needs, and figures that do not churn. */
  static double round(double v) {
    return new BigDecimal(v).round(TWO_DIGITS).doubleValue();
  }

  /** A duration as PromQL writes it: 5m, 90s. */
  public static String promDuration(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) return s / 3600 + "h";
    if (s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }
}
