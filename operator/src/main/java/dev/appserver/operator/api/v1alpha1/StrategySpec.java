package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'RollingUpdate' || !has(self.rollingUpdate)",
    message = "spec.strategy.rollingUpdate applies only to spec.strategy.type RollingUpdate",
    fieldPath = ".rollingUpdate")
@ValidationRule(
    value = "self.type == 'BlueGreen' || !has(self.blueGreen)",
    message = "spec.strategy.blueGreen applies only to spec.strategy.type BlueGreen",
    fieldPath = ".blueGreen")
public class StrategySpec {

  @Default("RollingUpdate")
  @JsonPropertyDescription("RollingUpdate (default): the Deployment replaces pods gradually. BlueGreen: a second Deployment is brought up beside the serving one and traffic switches when it is ready.")
  private StrategyType type;

  @JsonPropertyDescription("Rolling update bounds (RollingUpdate only).")
  private RollingUpdateSpec rollingUpdate;

  @JsonPropertyDescription("Blue-green settings (BlueGreen only).")
  private BlueGreenSpec blueGreen;

  @Default("600")
  @Min(1)
  @JsonPropertyDescription("Seconds a rollout may take to make progress before it is reported as failed (RollingUpdate) or abandoned with the old colour still serving (BlueGreen). Default 600.")
  private Integer progressDeadlineSeconds;

  public StrategyType getType() { return type; }
  public void setType(StrategyType type) { this.type = type; }
  public RollingUpdateSpec getRollingUpdate() { return rollingUpdate; }
  public void setRollingUpdate(RollingUpdateSpec rollingUpdate) { this.rollingUpdate = rollingUpdate; }
  public BlueGreenSpec getBlueGreen() { return blueGreen; }
  public void setBlueGreen(BlueGreenSpec blueGreen) { this.blueGreen = blueGreen; }
  public Integer getProgressDeadlineSeconds() { return progressDeadlineSeconds; }
  public void setProgressDeadlineSeconds(Integer v) { this.progressDeadlineSeconds = v; }

  /** Rollout strategies. */
  public enum StrategyType {
    RollingUpdate,
    BlueGreen
  }
}
