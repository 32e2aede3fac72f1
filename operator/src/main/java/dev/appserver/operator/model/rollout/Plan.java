package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
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
 * @param check the pre-promotion check this plan waits on; null when it waits on none, and then
 *     whatever check is held for the AppServer is dropped
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
    Check check) {

  /** A Deployment to keep, built from {@code model} (its snapshot) with {@code replicas}. */
  public record DeploymentTarget(String name, Color color, AppServerModel model, int replicas) {}

  /**
   * The pre-promotion check of a colour that is fully ready. The check runs off the reconcile
   * thread; its answer triggers the next reconcile, which observes it.
   *
   * @param color the colour checked, through the preview Service
   * @param revision the revision that colour runs (a result for another revision is not this one's)
   * @param step what to do about it now
   * @param lastFailure why the last check of this revision failed; null when none has
   */
  public record Check(Color color, String revision, Step step, String lastFailure) {
    public enum Step {
      /** None is held for this revision, or the failure held is due for a retry: start one. */
      Start,
      /** One is running: wait for its answer. */
      Running,
      /** The last one failed: wait for the retry ({@code requeueAfter} brings it). */
      RetryLater
    }
  }

  /** Something worth an Event (and a metric). */
  public record Note(EventReason reason, String message) {
    public EventReason.Type type() {
      return reason.type();
    }
  }

  public Optional<DeploymentTarget> deployment(String name) {
    return deployments.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
