package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrePromotionCheckSpec {

  @Required
  @Pattern("^/.*")
  @JsonPropertyDescription("Path requested through the preview Service (via the API server's service proxy); a 2xx answer lets the switch happen.")
  private String path;

  @Default("5")
  @Min(1)
  @Max(60)
  @JsonPropertyDescription("Seconds to wait for the answer. Default 5.")
  private Integer timeoutSeconds;

  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public Integer getTimeoutSeconds() { return timeoutSeconds; }
  public void setTimeoutSeconds(Integer timeoutSeconds) { this.timeoutSeconds = timeoutSeconds; }
}
