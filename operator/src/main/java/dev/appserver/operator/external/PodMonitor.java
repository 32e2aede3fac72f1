package dev.appserver.operator.external;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/** Prometheus Operator's PodMonitor (monitoring.coreos.com/v1): which pods to scrape, on which port. */
@Group("monitoring.coreos.com")
@Version("v1")
@Kind("PodMonitor")
@Plural("podmonitors")
@JsonIgnoreProperties(ignoreUnknown = true)
public class PodMonitor extends CustomResource<PodMonitor.Spec, Void> implements Namespaced {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Spec(LabelSelector selector, List<Endpoint> podMetricsEndpoints) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Endpoint(String port, String path, List<Relabeling> relabelings) {}

  /** A relabeling rule; Prometheus Operator's field names. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Relabeling(List<String> sourceLabels, String targetLabel, String action) {}
}
