package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which autoscaling engine scales an AppServer. */
public enum AutoscalingEngine {
  /** The operator's own HorizontalPodAutoscaler; busyWorkers reaches it through the custom metrics API. */
  @JsonProperty("hpa")
  HPA,
  /** A KEDA ScaledObject (KEDA makes the HorizontalPodAutoscaler); busyWorkers is a Prometheus query. */
  @JsonProperty("keda")
  KEDA
}
