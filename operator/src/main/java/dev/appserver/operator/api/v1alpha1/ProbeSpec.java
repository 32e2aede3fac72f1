package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Overrides for one probe; every unset field keeps the operator's default for that probe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeSpec {

  @JsonPropertyDescription("Set false to leave this probe out. Default true.")
  private Boolean enabled;

  @Pattern("^/.*")
  @JsonPropertyDescription("HTTP path for this probe; defaults to spec.probes.path (for liveness, a TCP check is used unless a path is set here).")
  private String path;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription("Seconds after the container starts before the first probe.")
  private Integer initialDelaySeconds;

  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Seconds between probes.")
  private Integer periodSeconds;

  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Seconds after which one probe counts as failed.")
  private Integer timeoutSeconds;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Consecutive successes to count as passing (must be 1 for liveness and startup).")
  private Integer successThreshold;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Consecutive failures to count as failing.")
  private Integer failureThreshold;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public Integer getInitialDelaySeconds() { return initialDelaySeconds; }
  public void setInitialDelaySeconds(Integer v) { this.initialDelaySeconds = v; }
  public Integer getPeriodSeconds() { return periodSeconds; }
  public void setPeriodSeconds(Integer v) { this.periodSeconds = v; }
  public Integer getTimeoutSeconds() { return timeoutSeconds; }
  public void setTimeoutSeconds(Integer v) { this.timeoutSeconds = v; }
  public Integer getSuccessThreshold() { return successThreshold; }
  public void setSuccessThreshold(Integer v) { this.successThreshold = v; }
  public Integer getFailureThreshold() { return failureThreshold; }
  public void setFailureThreshold(Integer v) { this.failureThreshold = v; }
}
