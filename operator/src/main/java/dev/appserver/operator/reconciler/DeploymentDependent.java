package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;

/** The Deployment running Gunicorn (RollingUpdate strategy). */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class DeploymentDependent extends CRUDKubernetesDependentResource<Deployment, AppServer> {
  @Override
  protected Deployment desired(AppServer primary, Context<AppServer> context) {
    var model = ModelDependent.model(context);
    return ModelDependent.owned(primary, ChildResources.deployment(model, model.name(), Map.of(), model.spec().getReplicas()));
  }
}
