package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.minAvailable) && has(self.maxUnavailable))",
    message = "spec.disruptionBudget: set either minAvailable or maxUnavailable, not both")
public class DisruptionBudgetSpec {

  @Default("true")
  @JsonPropertyDescription("Create a PodDisruptionBudget. Default true.")
  private Boolean enabled;

  @JsonPropertyDescription("Pods (number or percentage) that must stay available during voluntary disruptions.")
  private IntOrString minAvailable;

  @JsonPropertyDescription("Pods (number or percentage) that may be unavailable during voluntary disruptions. Default 1 when minAvailable is unset.")
  private IntOrString maxUnavailable;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public IntOrString getMinAvailable() { return minAvailable; }
  public void setMinAvailable(IntOrString minAvailable) { this.minAvailable = minAvailable; }
  public IntOrString getMaxUnavailable() { return maxUnavailable; }
  public void setMaxUnavailable(IntOrString maxUnavailable) { this.maxUnavailable = maxUnavailable; }
}
