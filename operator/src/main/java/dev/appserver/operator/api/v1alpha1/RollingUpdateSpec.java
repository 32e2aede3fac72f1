package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.IntOrString;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollingUpdateSpec {

  @JsonPropertyDescription("Pods (number or percentage) created above the desired count during an update. Default 25%.")
  private IntOrString maxSurge;

  @JsonPropertyDescription("Pods (number or percentage) that may be unavailable during an update. Default 0, so capacity never drops.")
  private IntOrString maxUnavailable;

  public IntOrString getMaxSurge() { return maxSurge; }
  public void setMaxSurge(IntOrString maxSurge) { this.maxSurge = maxSurge; }
  public IntOrString getMaxUnavailable() { return maxUnavailable; }
  public void setMaxUnavailable(IntOrString maxUnavailable) { this.maxUnavailable = maxUnavailable; }
}
