package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.BlueGreenMachine;
import dev.appserver.operator.model.rollout.Plan;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Status as a pure function of {@link StatusInputs}: the AppServer, its model and the observed Deployment. The previous
 * status only supplies condition transition times, so an unchanged world gives an equal status
 * and no write.
 */
public final class StatusAggregator {

  /** Why the AppServer cannot be reconciled as written; the kind is the conditions' reason. */
  public record Problem(Kind kind, String message) {
    public enum Kind {
      /** The spec passes admission but cannot work (the validator's checks). */
      InvalidSpec,
      /** The API server refused a child resource. */
      ApplyFailed
    }
  }

  private StatusAggregator() {}

  /** The status the inputs call for. */
  public static AppServerStatus aggregate(StatusInputs in) {
    AppServer cr = in.appServer();
    AppServerModel model = in.model().orElse(null);
    Deployment deployment = in.serving().orElse(null);
    Problem problem = in.problem().orElse(null);
    BlueGreenStatus blueGreen = in.blueGreen().orElse(null);
    Map<String, String> selector = in.servingSelector().orElse(null);
    Plan.Check check = in.check().orElse(null);
    Instant now = in.now();
    AppServerStatus previous = cr.getStatus() == null ? new AppServerStatus() : cr.getStatus();
    Long generation = cr.getMetadata().getGeneration();
    DeploymentStatus ds = deployment == null || deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
    int desired = model != null ? model.spec().getReplicas()
        : deployment != null && deployment.getSpec().getReplicas() != null ? deployment.getSpec().getReplicas() : 0;
    int replicas = orZero(ds.getReplicas());
    int ready = orZero(ds.getReadyReplicas());
    int updated = orZero(ds.getUpdatedReplicas());
    int available = orZero(ds.getAvailableReplicas());
    boolean observed = deployment != null && ds.getObservedGeneration() != null
        && ds.getObservedGeneration() >= orZero(deployment.getMetadata().getGeneration());
    boolean complete = observed && updated == desired && replicas == desired && available == desired && ready == desired;
    // A deadline the Deployment controller reported before it saw the current spec is stale: the
    // new spec restarts the clock.
    Optional<DeploymentCondition> stalled = deployment == null || !observed ? Optional.empty()
        : Optional.ofNullable(ds.getConditions()).orElse(List.of()).stream()
            .filter(c -> "Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason()))
            .findFirst();

    var prevConditions = previous.getConditions();
    var status = new AppServerStatus();
    status.setObservedGeneration(generation);
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setUpdatedReplicas(updated);
    status.setReady(ready + "/" + desired);
    status.setBlueGreen(blueGreen);
    // The sizing advisor's part is the reconciler's to replace (AdvisorReport); kept otherwise.
    status.setAdvisor(previous.getAdvisor());
    if (model != null) {
      status.setSelector(Names.selectorString(selector != null ? selector : Names.podSelector(model.name())));
      status.setWorkers(model.sizing().workers());
      status.setThreads(model.sizing().threads());
      status.setWorkerClass(model.sizing().workerClass());
      status.setInFlightPerPod(model.sizing().inFlight());
      status.setInFlight(model.inFlightTotal());
      status.setSizing(model.sizing().explanation());
    } else {
      status.setSelector(Optional.ofNullable(previous.getSelector())
          .orElse(Names.selectorString(Names.podSelector(cr.getMetadata().getName()))));
      status.setWorkers(previous.getWorkers());
      status.setThreads(previous.getThreads());
      status.setWorkerClass(previous.getWorkerClass());
      status.setInFlightPerPod(previous.getInFlightPerPod());
      status.setInFlight(previous.getInFlight());
      status.setSizing(previous.getSizing());
    }

    boolean isReady = deployment != null && (desired == 0 || ready >= desired);
    String readyReason = deployment == null ? "DeploymentMissing" : desired == 0 ? "ScaledToZero"
        : isReady ? "ReplicasReady" : "ReplicasNotReady";
    String readyMessage = deployment == null ? "no Deployment yet" : ready + "/" + desired + " pods ready";

    boolean progressing;
    String progressReason;
    String progressMessage;
    if (problem != null) {
      progressing = false;
      progressReason = problem.kind().name();
      progressMessage = "not rolling out: " + problem.message();
    } else if (blueGreen != null && blueGreen.getPhase() != null && !"Idle".equals(blueGreen.getPhase())
        && !"ScalingDown".equals(blueGreen.getPhase())) {
      String phase = blueGreen.getPhase();
      progressing = !"Aborted".equals(phase);
      progressReason = phase;
      progressMessage = switch (phase) {
        case "Progressing" -> "bringing up revision " + blueGreen.getPreviewRevision() + " on " + blueGreen.getPreviewColor()
            + (blueGreen.getActiveColor() == null ? "" : "; " + blueGreen.getActiveColor() + " serves");
        case "AwaitingPromotion" -> blueGreen.getPreviewColor() + " is ready with revision " + blueGreen.getPreviewRevision()
            + "; waiting for the appserver.dev/promote annotation";
        default -> "rollout of revision " + blueGreen.getAbortedRevision() + " abandoned: " + blueGreen.getAbortReason();
      };
      if (check != null && progressing) {
        // The check runs off the reconcile; until it answers, the rollout is still in progress.
        String checking = check.color().label() + " is ready with revision " + check.revision()
            + "; the pre-promotion check through " + Names.previewService(cr.getMetadata().getName());
        String serves = blueGreen.getActiveColor() == null ? "" : "; " + blueGreen.getActiveColor() + " serves";
        if (check.lastFailure() == null) {
          progressReason = "PrePromotionCheckRunning";
          progressMessage = checking + " is running" + serves;
        } else {
          progressReason = "PrePromotionCheckFailed";
          progressMessage = checking + " did not answer 2xx (" + check.lastFailure() + "), trying again every "
              + BlueGreenMachine.CHECK_RETRY.toSeconds() + "s" + serves;
        }
      }
    } else if (stalled.isPresent()) {
      progressing = false;
      progressReason = "ProgressDeadlineExceeded";
      progressMessage = stalledMessage(stalled.get());
    } else if (complete) {
      progressing = false;
      progressReason = "RolloutComplete";
      progressMessage = desired + "/" + desired + " pods updated and ready";
    } else {
      progressing = true;
      progressReason = deployment == null ? "Creating" : "RollingOut";
      progressMessage = updated + "/" + desired + " pods updated, " + ready + "/" + desired + " ready";
    }

    boolean aborted = blueGreen != null && "Aborted".equals(blueGreen.getPhase());
    boolean degraded = problem != null || stalled.isPresent() || aborted;
    String degradedReason = problem != null ? problem.kind().name() : aborted ? "RolloutAborted"
        : stalled.isPresent() ? "ProgressDeadlineExceeded" : "AsExpected";
    String degradedMessage = problem != null ? problem.message()
        : aborted ? blueGreen.getAbortReason() + "; " + (blueGreen.getActiveColor() == null ? "the current pods" : blueGreen.getActiveColor())
            + " keeps serving (change the spec or annotate appserver.dev/retry=true to try again)"
        : stalled.map(StatusAggregator::stalledMessage).orElse("no problems");

    // The two conditions kstatus (Flux, Helm --wait, kpt) reads. They never are True together, so
    // the verdict does not depend on their order: Stalled is Degraded (nothing moves until the spec
    // changes or a retry is asked for), Reconciling is Progressing unless stalled.
    boolean stalledNow = degraded;
    boolean reconciling = progressing && !stalledNow;
    String reconcilingReason = stalledNow ? degradedReason : progressReason;
    String reconcilingMessage = stalledNow ? "stalled: " + degradedMessage : progressMessage;

    status.setConditions(List.of(
        Conditions.condition(prevConditions, Conditions.READY, isReady, readyReason, readyMessage, generation, now),
        Conditions.condition(prevConditions, Conditions.PROGRESSING, progressing, progressReason, progressMessage, generation, now),
        Conditions.condition(prevConditions, Conditions.DEGRADED, degraded, degradedReason, degradedMessage, generation, now),
        Conditions.condition(prevConditions, Conditions.RECONCILING, reconciling, reconcilingReason, reconcilingMessage, generation, now),
        Conditions.condition(prevConditions, Conditions.STALLED, stalledNow, degradedReason, degradedMessage, generation, now)));

    status.setPhase(degraded ? "Degraded" : progressing ? "Progressing" : isReady ? "Ready" : "Pending");
    String summary = degraded ? degradedMessage
        : progressing ? progressMessage
        : readyMessage + (model != null ? ", " + workersSummary(model) : "");
    if (model != null && model.sizing().memoryForcedMinimum()) {
      summary += "; warning: " + model.sizing().explanation();
    }
    status.setMessage(summary);
    return status;
  }

  private static String workersSummary(AppServerModel m) {
    int w = m.sizing().workers();
    int t = m.sizing().threads();
    return w + (w == 1 ? " worker" : " workers") + (t > 1 ? " x " + t + " threads" : "") + " per pod, " + m.inFlightSummary();
  }

  /** The Deployment controller's words, or ours when it gave none. */
  private static String stalledMessage(DeploymentCondition stalled) {
    return stalled.getMessage() == null || stalled.getMessage().isBlank()
        ? "the Deployment did not progress within spec.strategy.progressDeadlineSeconds" : stalled.getMessage();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
