package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AutoscalingMetric;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.ChildResources;
import java.net.URI;
import java.util.Optional;

/**
 * What the operator was configured with that some children need, beside the AppServer's spec.
 *
 * @param prometheusUrl the Prometheus scraping the pods, which KEDA's busyWorkers trigger queries
 */
public record OperatorSettings(Optional<URI> prometheusUrl) {
  public static final OperatorSettings NONE = new OperatorSettings(Optional.empty());

  /** Why KEDA was asked for but no ScaledObject can be written, or empty. */
  Optional<String> scaledObjectMissing(AppServerModel m) {
    if (ChildResources.wantsScaledObject(m) && needsPrometheus(m) && prometheusUrl.isEmpty()) {
      return Optional.of("spec.autoscaling: engine keda with metric busyWorkers needs the Prometheus that scrapes the pods, "
          + "and the operator has none configured (chart value prometheus.url, PROMETHEUS_URL); no ScaledObject is written");
    }
    return Optional.empty();
  }

  private static boolean needsPrometheus(AppServerModel m) {
    return m.spec().getAutoscaling().getMetric() == AutoscalingMetric.BUSY_WORKERS;
  }
}
