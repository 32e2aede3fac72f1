package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AutoscalingMetric;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.EnvSources;
import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the operator was configured with that some children need, beside the AppServer's spec.
 *
 * @param prometheusUrl the Prometheus scraping the pods, which KEDA's busyWorkers trigger queries
 * @param envSourceKinds the kinds of env sources watched, whose changes roll the pods reading them
 */
public record OperatorSettings(Optional<URI> prometheusUrl, Set<EnvSources.Kind> envSourceKinds) {
  /** Nothing configured: no Prometheus, and both kinds of env sources watched (the defaults). */
  public static final OperatorSettings NONE = new OperatorSettings(Optional.empty(), EnumSet.allOf(EnvSources.Kind.class));

  public OperatorSettings {
    envSourceKinds = envSourceKinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(envSourceKinds));
  }

  public OperatorSettings withEnvSourceKinds(Set<EnvSources.Kind> kinds) {
    return new OperatorSettings(prometheusUrl, kinds);
  }

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
