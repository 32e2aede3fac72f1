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
  @JsonPropertyDescription("Target average CPU utilisation in percent of the CPU request. Default 75.")
  private Integer targetCPUUtilizationPercentage;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public Integer getMinReplicas() { return minReplicas; }
  public void setMinReplicas(Integer minReplicas) { this.minReplicas = minReplicas; }
  public Integer getMaxReplicas() { return maxReplicas; }
  public void setMaxReplicas(Integer maxReplicas) { this.maxReplicas = maxReplicas; }
  public Integer getTargetCPUUtilizationPercentage() { return targetCPUUtilizationPercentage; }
  public void setTargetCPUUtilizationPercentage(Integer v) { this.targetCPUUtilizationPercentage = v; }
}
