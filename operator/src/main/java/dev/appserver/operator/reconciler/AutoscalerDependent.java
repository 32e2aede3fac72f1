package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.rollout.Child;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The HorizontalPodAutoscaler targeting the AppServer's scale subresource; deleted when autoscaling is turned off. */
public class AutoscalerDependent extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, AppServer> {
  @Override
  protected HorizontalPodAutoscaler desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary, Child.AUTOSCALER.desired(ModelDependent.inputs(context), HorizontalPodAutoscaler.class));
  }

  /** Reconcile precondition: autoscaling is enabled. */
  public static class Enabled implements Condition<HorizontalPodAutoscaler, AppServer> {
    @Override
    public boolean isMet(DependentResource<HorizontalPodAutoscaler, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return Child.AUTOSCALER.wanted(ModelDependent.inputs(context));
    }
  }
}
