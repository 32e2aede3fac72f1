package dev.appserver.operator.model.rollout;

import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The children a plan asks for, each built by {@link ChildResources}. It lives beside the planner
 * because it reads a {@link Plan}; {@code model} never reads {@code model.rollout}.
 */
public final class Children {
  private Children() {}

  /** Every child of a new AppServer (nothing deployed yet), in apply order: what render prints. */
  public static List<HasMetadata> initial(AppServerModel m) {
    return forPlan(m, RolloutPlanner.plan(m, Observation.nothingDeployed(Instant.EPOCH)));
  }

  /** Every child a plan asks for, in apply order. */
  public static List<HasMetadata> forPlan(AppServerModel m, Plan plan) {
    List<HasMetadata> children = new ArrayList<>();
    for (var t : plan.deployments()) {
      children.add(ChildResources.configMap(t.model(), t.name()));
      children.add(ChildResources.deployment(t.model(), t.name(),
          t.color() == null ? Map.of() : Map.of(Names.LABEL_COLOR, t.color().label()), t.replicas()));
    }
    children.add(ChildResources.service(m, Names.service(m.name()), plan.serviceSelector()));
    if (plan.previewSelector() != null) children.add(ChildResources.previewService(m, plan.previewSelector()));
    if (ChildResources.wantsDisruptionBudget(m)) children.add(ChildResources.disruptionBudget(m, plan.serviceSelector()));
    if (ChildResources.wantsAutoscaler(m)) children.add(ChildResources.autoscaler(m));
    return children;
  }
}
