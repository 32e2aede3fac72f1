package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.liveness) || !has(self.liveness.successThreshold) || self.liveness.successThreshold == 1",
    message = "spec.probes.liveness.successThreshold must be 1",
    fieldPath = ".liveness.successThreshold")
@ValidationRule(
    value = "!has(self.startup) || !has(self.startup.successThreshold) || self.startup.successThreshold == 1",
    message = "spec.probes.startup.successThreshold must be 1",
    fieldPath = ".startup.successThreshold")
public class ProbesSpec {

  @Default("/health")
  @Pattern("^/.*")
  @JsonPropertyDescription("HTTP path the application answers cheaply with 200 when it can serve. Used by the readiness and startup probes. Default /health.")
  private String path;

  @JsonPropertyDescription("Readiness probe: HTTP GET on path. Defaults: initialDelaySeconds 5, periodSeconds 10, timeoutSeconds 2, successThreshold 1, failureThreshold 3.")
  private ProbeSpec readiness;

  @JsonPropertyDescription("Liveness probe. By default a TCP check of the Gunicorn port (initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 5, failureThreshold 6): the kernel accepts connections for the master's socket even when every worker is busy, so busy pods are not restarted, while Gunicorn itself replaces hung workers after timeoutSeconds. Set path to use an HTTP check instead.")
  private ProbeSpec liveness;

  @JsonPropertyDescription("Startup probe: HTTP GET on path, giving slow application imports time before liveness starts. Defaults: periodSeconds 2, timeoutSeconds 2, failureThreshold 60.")
  private ProbeSpec startup;

  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public ProbeSpec getReadiness() { return readiness; }
  public void setReadiness(ProbeSpec readiness) { this.readiness = readiness; }
  public ProbeSpec getLiveness() { return liveness; }
  public void setLiveness(ProbeSpec liveness) { this.liveness = liveness; }
  public ProbeSpec getStartup() { return startup; }
  public void setStartup(ProbeSpec startup) { this.startup = startup; }
}
