package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.rollout.Plan;
import dev.appserver.operator.reconciler.StatusAggregator.Problem;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything status is computed from, gathered in one place: the AppServer as read (its previous
 * status supplies transition times), what this pass made of it, and the Deployment that serves.
 * Built by the factory of the path the reconcile took.
 *
 * @param model empty when the spec cannot be modelled (invalid)
 * @param serving the Deployment whose pods take the traffic, as observed; empty before it exists
 * @param problem why the AppServer cannot be reconciled as written; empty when nothing is wrong
 * @param blueGreen the blue-green state to report; empty under RollingUpdate
 * @param servingSelector the selector of the serving pods; empty: every pod of the AppServer
 * @param check the pre-promotion check the blue-green plan waits on; empty: none
 */
public record StatusInputs(
    AppServer appServer,
    Optional<AppServerModel> model,
    Optional<Deployment> serving,
    Optional<Problem> problem,
    Optional<BlueGreenStatus> blueGreen,
    Optional<Map<String, String>> servingSelector,
    Optional<Plan.Check> check,
    Instant now) {

  public StatusInputs {
    Objects.requireNonNull(appServer, "appServer");
    Objects.requireNonNull(now, "now");
  }

  /** A spec that was planned: the plan says what serves, what the Service selects and the blue-green state. */
  public static StatusInputs planned(AppServer appServer, AppServerModel model, Plan plan, Deployment serving, Instant now) {
    return new StatusInputs(appServer, Optional.of(model), Optional.ofNullable(serving), Optional.empty(),
        Optional.ofNullable(plan.blueGreen()), Optional.ofNullable(plan.serviceSelector()), Optional.ofNullable(plan.check()),
        now);
  }

  /**
   * A spec the validator refused: nothing was planned, the children stay as they are, and status
   * keeps the blue-green state it showed.
   */
  public static StatusInputs invalidSpec(AppServer appServer, String errors, Deployment servingNow, Instant now) {
    return new StatusInputs(appServer, Optional.empty(), Optional.ofNullable(servingNow),
        Optional.of(new Problem(Problem.Kind.InvalidSpec, errors)), previousBlueGreen(appServer), Optional.empty(),
        Optional.empty(), now);
  }

  /**
   * The API server refused a child: the spec is modelled (when it can be), the blue-green state
   * is the one status showed.
   */
  public static StatusInputs applyFailed(AppServer appServer, Optional<AppServerModel> model, String message,
      Deployment servingNow, Instant now) {
    return new StatusInputs(appServer, model, Optional.ofNullable(servingNow),
        Optional.of(new Problem(Problem.Kind.ApplyFailed, message)), previousBlueGreen(appServer), Optional.empty(),
        Optional.empty(), now);
  }

  private static Optional<BlueGreenStatus> previousBlueGreen(AppServer appServer) {
    return Optional.ofNullable(appServer.getStatus()).map(s -> s.getBlueGreen());
  }
}
