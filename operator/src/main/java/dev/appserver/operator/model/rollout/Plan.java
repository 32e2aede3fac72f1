package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one reconcile should make true: which Deployments exist (each built from its own spec
 * snapshot and replica count), what the Services select, the next blue-green state, and what to
 * tell the user.
 *
 * @param serving the Deployment whose pods take the traffic (drives Ready)
 * @param previewSelector null when there is no preview Service
 * @param checkColor when set, run the pre-promotion check against that colour and plan again
 */
public record Plan(
    List<DeploymentTarget> deployments,
    String serving,
    Map<String, String> serviceSelector,
    Map<String, String> previewSelector,
    BlueGreenStatus blueGreen,
    List<Note> notes,
    Duration requeueAfter,
    Set<String> consumedAnnotations,
    Color checkColor) {

  /** A Deployment to keep, built from {@code model} (its snapshot) with {@code replicas}. */
  public record DeploymentTarget(String name, Color color, AppServerModel model, int replicas) {}

  /** Something worth an Event (and a metric). */
  public record Note(String type, String reason, String message) {
    public static Note normal(String reason, String message) {
      return new Note("Normal", reason, message);
    }

    public static Note warning(String reason, String message) {
      return new Note("Warning", reason, message);
    }
  }

  public Optional<DeploymentTarget> deployment(String name) {
    return deployments.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
