package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the HorizontalPodAutoscaler of an AppServer scales on. */
public enum AutoscalingMetric {
  /** CPU utilisation of the pods against their CPU request (metrics-server). */
  @JsonProperty("cpu")
  CPU,
  /** Gunicorn's busy ratio, requests in flight / capacity, as a Pods metric of the custom metrics API. */
  @JsonProperty("busyWorkers")
  BUSY_WORKERS
}
