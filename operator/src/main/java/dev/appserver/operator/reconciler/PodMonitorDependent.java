package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.external.PodMonitor;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Child;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Prometheus Operator's PodMonitor for the AppServer's pods. Active only where the cluster has the
 * PodMonitor CRD (the workflow's activation condition); deleted when spec.metrics turns it off.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class PodMonitorDependent extends CRUDKubernetesDependentResource<PodMonitor, AppServer> {
  @Override
  protected PodMonitor desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary, Child.POD_MONITOR.desired(ModelDependent.inputs(context), PodMonitor.class));
  }

  /** Reconcile precondition: metrics are on and the PodMonitor is not turned off. */
  public static class Wanted implements Condition<PodMonitor, AppServer> {
    @Override
    public boolean isMet(DependentResource<PodMonitor, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return Child.POD_MONITOR.wanted(ModelDependent.inputs(context));
    }
  }
}
