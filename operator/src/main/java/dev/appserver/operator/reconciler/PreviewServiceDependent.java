package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.rollout.Child;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The preview Service (BlueGreen): the colour being brought up, never both; always in-cluster only. */
public class PreviewServiceDependent extends CRUDKubernetesDependentResource<Service, AppServer> {
  @Override
  protected Service desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary, Child.PREVIEW_SERVICE.desired(ModelDependent.inputs(context), Service.class));
  }

  /** Reconcile precondition: the strategy is BlueGreen. */
  public static class Wanted implements Condition<Service, AppServer> {
    @Override
    public boolean isMet(DependentResource<Service, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return Child.PREVIEW_SERVICE.wanted(ModelDependent.inputs(context));
    }
  }
}
