package dev.appserver.operator.external;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/** KEDA's ScaledObject (keda.sh/v1alpha1): KEDA makes and feeds a HorizontalPodAutoscaler from it. */
@Group("keda.sh")
@Version("v1alpha1")
@Kind("ScaledObject")
@Plural("scaledobjects")
@JsonIgnoreProperties(ignoreUnknown = true)
public class ScaledObject extends CustomResource<ScaledObject.Spec, Void> implements Namespaced {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Spec(
      ScaleTarget scaleTargetRef,
      Integer pollingInterval,
      Integer minReplicaCount,
      Integer maxReplicaCount,
      Advanced advanced,
      List<Trigger> triggers) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ScaleTarget(String apiVersion, String kind, String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Advanced(HpaConfig horizontalPodAutoscalerConfig) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HpaConfig(HorizontalPodAutoscalerBehavior behavior) {}

  /** One scaler: its type (prometheus, cpu, ...), how its figure is compared, and its settings. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Trigger(String type, String metricType, Map<String, String> metadata) {}
}
