package dev.appserver.operator.model.rollout;

import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The children a plan asks for, from the one list of them ({@link Child}). It lives beside the
 * planner because it reads a {@link Plan}; {@code model} never reads {@code model.rollout}.
 */
public final class Children {
  private Children() {}

  /** Every child of a new AppServer (nothing deployed yet), in apply order: what render prints. */
  public static List<HasMetadata> initial(AppServerModel m) {
    return forPlan(m, RolloutPlanner.plan(m, Observation.nothingDeployed(Instant.EPOCH)));
  }

  /**
   * Every child a plan asks for, in apply order, but for other projects' kinds: whether those are
   * written depends on the cluster (and KEDA's on the operator's Prometheus).
   */
  public static List<HasMetadata> forPlan(AppServerModel m, Plan plan) {
    var in = new Child.Inputs(m, plan, Optional.empty());
    return Arrays.stream(Child.values())
        .filter(c -> !c.otherProjectsKind() && c.wanted(in))
        .map(c -> c.desired(in))
        .toList();
  }
}
