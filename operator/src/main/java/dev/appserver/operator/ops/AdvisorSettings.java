package dev.appserver.operator.ops;

import java.time.Duration;

/**
 * The sizing advisor's settings (docs/operations.md). It runs when the operator has a Prometheus
 * ({@link OperatorConfig#prometheusUrl()}) and it is not turned off.
 *
 * @param enabled false keeps it off even with a Prometheus (which KEDA's triggers may still use)
 * @param interval how often it looks (one batch of queries for every AppServer)
 * @param window the range the rates are taken over
 * @param minRequestsPerPod requests per pod the window must hold before it gives per-request figures
 */
public record AdvisorSettings(boolean enabled, Duration interval, Duration window, long minRequestsPerPod) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  /** About 3.3 requests per second per pod over 5 minutes: see docs/sizing.md for what less would cost. */
  public static final long DEFAULT_MIN_REQUESTS = 1000;

  public static AdvisorSettings defaults() {
    return new AdvisorSettings(true, DEFAULT_INTERVAL, DEFAULT_WINDOW, DEFAULT_MIN_REQUESTS);
  }
}
