package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.enabled) || !self.enabled || has(self.maxReplicas)",
    message = "spec.autoscaling.maxReplicas is required when spec.autoscaling.enabled is true",
    fieldPath = ".maxReplicas")
@ValidationRule(
    value = "!has(self.maxReplicas) || !has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message = "spec.autoscaling.minReplicas must not exceed spec.autoscaling.maxReplicas",
    fieldPath = ".minReplicas")
public class AutoscalingSpec {
  /** The Pods metric a busyWorkers autoscaler reads from the custom metrics API. */
  public static final String BUSY_METRIC = "gunicorn_busy_ratio";

  @Default("false")
  @JsonPropertyDescription("Create a HorizontalPodAutoscaler that scales this AppServer (through its scale subresource). Default false.")
  private Boolean enabled;

  @Default("2")
  @Min(1)
  @JsonPropertyDescription("Lowest replica count. Default 2.")
  private Integer minReplicas;

  @Min(1)
  @JsonPropertyDescription("Highest replica count; required when enabled.")
  private Integer maxReplicas;

  @Default("75")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("With metric cpu: the target average CPU utilisation in percent of the CPU request. Default 75.")
  private Integer targetCPUUtilizationPercentage;

  @Default("cpu")
  @JsonPropertyDescription("What to scale on. cpu (default): CPU utilisation against the CPU request. busyWorkers: Gunicorn's busy ratio (requests in flight / the pod's capacity, from spec.metrics), the signal that sees an I/O-bound app saturate while its CPU idles; it reaches the autoscaler as the Pods metric gunicorn_busy_ratio of the custom metrics API (an adapter such as prometheus-adapter must serve it; see docs/autoscaling.md).")
  private AutoscalingMetric metric;

  @Default("70")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("With metric busyWorkers: the average busy percentage to keep (busy workers or threads / capacity). Default 70.")
  private Integer targetBusyPercent;

  @Default("hpa")
  @JsonPropertyDescription("Who scales. hpa (default): the operator creates a HorizontalPodAutoscaler (for busyWorkers an adapter such as prometheus-adapter must serve the custom metrics API). keda: the operator creates a KEDA ScaledObject instead (KEDA must be installed; for busyWorkers its Prometheus trigger queries the Prometheus the operator is configured with).")
  private AutoscalingEngine engine;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription("How long the autoscaler waits, in seconds, before it scales in after the load fell: it scales to the highest recommendation of that window. Unset: the cluster's default (300 s).")
  private Integer scaleDownStabilizationSeconds;

  public AutoscalingEngine getEngine() { return engine; }
  public void setEngine(AutoscalingEngine engine) { this.engine = engine; }
  public Integer getScaleDownStabilizationSeconds() { return scaleDownStabilizationSeconds; }
  public void setScaleDownStabilizationSeconds(Integer v) { this.scaleDownStabilizationSeconds = v; }
  public AutoscalingMetric getMetric() { return metric; }
  public void setMetric(AutoscalingMetric metric) { this.metric = metric; }
  public Integer getTargetBusyPercent() { return targetBusyPercent; }
  public void setTargetBusyPercent(Integer targetBusyPercent) { this.targetBusyPercent = targetBusyPercent; }
  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public Integer getMinReplicas() { return minReplicas; }
  public void setMinReplicas(Integer minReplicas) { this.minReplicas = minReplicas; }
  public Integer getMaxReplicas() { return maxReplicas; }
  public void setMaxReplicas(Integer maxReplicas) { this.maxReplicas = maxReplicas; }
  public Integer getTargetCPUUtilizationPercentage() { return targetCPUUtilizationPercentage; }
  public void setTargetCPUUtilizationPercentage(Integer v) { this.targetCPUUtilizationPercentage = v; }
}
