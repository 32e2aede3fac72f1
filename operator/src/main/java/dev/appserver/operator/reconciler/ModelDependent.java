package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.rollout.Child;
import dev.appserver.operator.model.rollout.Plan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Dependents read the model and plan the reconciler computed once for this pass. */
final class ModelDependent {
  private ModelDependent() {}

  /** What every child of this pass is built from ({@link Child}). */
  static Child.Inputs inputs(Context<AppServer> context) {
    return context.managedWorkflowAndDependentResourceContext().getMandatory(Child.Inputs.class, Child.Inputs.class);
  }

  static AppServerModel model(Context<AppServer> context) {
    return inputs(context).model();
  }

  /** Marks the AppServer as the controlling owner, so kubectl describe shows "Controlled By". */
  static <R extends HasMetadata> R owned(AppServer primary, R resource) {
    resource.getMetadata().setOwnerReferences(new ArrayList<>(List.of(new OwnerReferenceBuilder()
        .withApiVersion(primary.getApiVersion()).withKind(primary.getKind())
        .withName(primary.getMetadata().getName()).withUid(primary.getMetadata().getUid())
        .withController(true)
        .build())));
    return resource;
  }

  static Plan plan(Context<AppServer> context) {
    return inputs(context).plan();
  }

  static void put(Context<AppServer> context, AppServerModel model, Plan plan, OperatorSettings settings) {
    context.managedWorkflowAndDependentResourceContext().put(Child.Inputs.class,
        new Child.Inputs(model, plan, settings.prometheusUrl().map(URI::toString)));
  }
}
