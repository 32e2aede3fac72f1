package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.rollout.Child;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The PodDisruptionBudget over the serving pods (the Service's selector: the active colour under
 * BlueGreen); deleted again when spec.disruptionBudget.enabled turns false.
 */
public class DisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, AppServer> {
  @Override
  protected PodDisruptionBudget desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary,
        Child.DISRUPTION_BUDGET.desired(ModelDependent.inputs(context), PodDisruptionBudget.class));
  }

  /** Reconcile precondition: a budget is wanted. */
  public static class Enabled implements Condition<PodDisruptionBudget, AppServer> {
    @Override
    public boolean isMet(DependentResource<PodDisruptionBudget, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return Child.DISRUPTION_BUDGET.wanted(ModelDependent.inputs(context));
    }
  }
}
