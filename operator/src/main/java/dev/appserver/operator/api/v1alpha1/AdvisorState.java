package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How fresh the sizing advisor's figures of an AppServer are. */
public enum AdvisorState {
  /** The figures are from the latest look at Prometheus, over enough requests. */
  @JsonProperty("Measured")
  MEASURED,
  /** Fewer requests per pod in the window than the advisor needs: the figures, if any, are the last good ones. */
  @JsonProperty("NotEnoughTraffic")
  NOT_ENOUGH_TRAFFIC,
  /** Prometheus has no Gunicorn metrics for the AppServer (metrics off, not scraped, or no pods). */
  @JsonProperty("NoMetrics")
  NO_METRICS,
  /** Prometheus did not answer, or not with a query result: the figures, if any, are the last good ones. */
  @JsonProperty("Unavailable")
  UNAVAILABLE
}
