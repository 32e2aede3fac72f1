package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.external.ScaledObject;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Child;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * KEDA's ScaledObject, for {@code spec.autoscaling.engine: keda}. Active only where the cluster has
 * KEDA's CRD (the workflow's activation condition), and deleted again when autoscaling is turned
 * off or goes back to the operator's own HorizontalPodAutoscaler.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class ScaledObjectDependent extends CRUDKubernetesDependentResource<ScaledObject, AppServer> {
  @Override
  protected ScaledObject desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary, Child.SCALED_OBJECT.desired(ModelDependent.inputs(context), ScaledObject.class));
  }

  /** Reconcile precondition: KEDA is asked for, and what its trigger needs is there. */
  public static class Wanted implements Condition<ScaledObject, AppServer> {
    @Override
    public boolean isMet(DependentResource<ScaledObject, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return Child.SCALED_OBJECT.wanted(ModelDependent.inputs(context));
    }
  }
}
