package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {

  @Default("ClusterIP")
  @JsonPropertyDescription("Service type: ClusterIP (default), NodePort or LoadBalancer.")
  private ServiceType type;

  @Default("80")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port the Service exposes; it forwards to the Gunicorn port. Default 80.")
  private Integer port;

  @JsonPropertyDescription("Annotations for the Service (for example for a cloud load balancer).")
  private Map<String, String> annotations;

  public ServiceType getType() { return type; }
  public void setType(ServiceType type) { this.type = type; }
  public Integer getPort() { return port; }
  public void setPort(Integer port) { this.port = port; }
  public Map<String, String> getAnnotations() { return annotations; }
  public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }

  /** Service types the operator creates. */
  public enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer
  }
}
