package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** gunicorn.conf.py of the Deployment that serves the AppServer. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class GunicornConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, AppServer> {
  @Override
  protected ConfigMap desired(AppServer primary, Context<AppServer> context) {
    var model = ModelDependent.model(context);
    return ModelDependent.owned(primary, ChildResources.configMap(model, model.name()));
  }
}
