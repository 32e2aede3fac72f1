package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the rollout planners decide from, read from the cluster: no other input exists, so a
 * restarted operator decides the same.
 *
 * @param state the blue-green state from status (null when none)
 * @param rolling the plain Deployment named after the AppServer (RollingUpdate strategy)
 * @param serviceSelector the selector the Service currently has (null when there is no Service)
 * @param promoteRequested the AppServer carries appserver.dev/promote (likewise abort and retry)
 * @param prePromotionCheck the pre-promotion check held for the revision being brought up: running
 *     or answered; null when none is held (none was asked for yet, or it was dropped)
 */
public record Observation(
    BlueGreenStatus state,
    Optional<DeploymentObservation> rolling,
    Map<Color, DeploymentObservation> colors,
    Map<String, String> serviceSelector,
    boolean promoteRequested,
    boolean abortRequested,
    boolean retryRequested,
    PromotionCheckResult prePromotionCheck,
    Instant now) {

  /** A new AppServer: nothing deployed, no state, no requests. */
  public static Observation nothingDeployed(Instant now) {
    return new Observation(null, Optional.empty(), Map.of(), null, false, false, false, null, now);
  }

  public Optional<DeploymentObservation> color(Color c) {
    return Optional.ofNullable(colors.get(c));
  }

  /** The colour the Service selects, or null when it selects no single colour. */
  public Color serviceColor() {
    return serviceSelector == null ? null : Color.parse(serviceSelector.get(dev.appserver.operator.model.Names.LABEL_COLOR));
  }
}
