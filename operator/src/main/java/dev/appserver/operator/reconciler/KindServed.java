package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Activation condition for a dependent of another project's kind (KEDA's ScaledObject, Prometheus
 * Operator's PodMonitor): met when the API server serves that kind. JOSDK's
 * CRDPresentActivationCondition reads the CRD, which needs a cluster-wide grant that an operator
 * limited to a few namespaces does not have, and stops looking after ten checks. This one asks API
 * discovery, which every authenticated client may read, and looks again once a minute for as long
 * as the kind is missing, so installing KEDA later needs no operator restart.
 */
public class KindServed<R extends HasMetadata> implements Condition<R, AppServer> {
  static final Duration RECHECK = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(KindServed.class);
  /** Per operator (JOSDK makes one condition per dependent of each registered controller). */
  private final Map<Class<?>, Seen> seen = new ConcurrentHashMap<>();

  private record Seen(boolean served, Instant at) {}

  @Override
  public boolean isMet(DependentResource<R, AppServer> dependent, AppServer primary, Context<AppServer> context) {
    Class<R> type = dependent.resourceType();
    Instant now = Instant.now();
    return seen.compute(type, (t, before) ->
        before != null && (before.served() || before.at().plus(RECHECK).isAfter(now))
            ? before : new Seen(lookUp(type, context.getClient(), before == null), now)).served();
  }

  private static boolean lookUp(Class<? extends HasMetadata> type, KubernetesClient client, boolean first) {
    String kind = HasMetadata.getFullResourceName(type);
    try {
      boolean served = client.supports(type);
      if (served) log.info("The cluster serves {}: writing them for the AppServers that ask for them", kind);
      else if (first) log.info("The cluster does not serve {} (its CRD is not installed); looking again every minute", kind);
      return served;
    } catch (KubernetesClientException e) {
      if (first) log.warn("Cannot tell whether the cluster serves {}: {}", kind, e.getMessage());
      return false;
    }
  }
}
