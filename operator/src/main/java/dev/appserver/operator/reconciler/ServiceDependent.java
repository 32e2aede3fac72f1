package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.rollout.Child;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The Service in front of the serving pods: every pod (RollingUpdate) or the active colour (BlueGreen). */
public class ServiceDependent extends CRUDKubernetesDependentResource<Service, AppServer> {
  @Override
  protected Service desired(AppServer primary, Context<AppServer> context) {
    return ModelDependent.owned(primary, Child.SERVICE.desired(ModelDependent.inputs(context), Service.class));
  }
}
