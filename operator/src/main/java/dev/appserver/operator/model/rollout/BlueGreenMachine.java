package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Plan.DeploymentTarget;
import dev.appserver.operator.model.rollout.Plan.Note;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Blue-green as an explicit state machine. The state lives in status.blueGreen; each phase has
 * one handler that returns the next state and the Deployments, Service selectors and Events that
 * go with it. Pure: the same observation always gives the same plan.
 *
 * <p>Invariants: the Service only ever selects a colour that was fully ready when it was
 * selected; the previous colour is scaled down only once the Service is seen selecting the new
 * one; a rollout that does not become ready by its deadline is abandoned with the active colour
 * still serving.
 */
public final class BlueGreenMachine {
  public enum Phase { Idle, Progressing, AwaitingPromotion, ScalingDown, Aborted }

  /** How long after a failed pre-promotion check the next one starts. */
  public static final Duration CHECK_RETRY = Duration.ofSeconds(5);

  private BlueGreenMachine() {}

  public static Plan plan(AppServerModel m, Observation obs) {
    return new Step(m, obs).run();
  }

  /** Keeps a Deployment as it was built (from its own spec snapshot), at {@code replicas}. */
  static DeploymentTarget keep(AppServerModel current, Color color, DeploymentObservation o, int replicas) {
    String name = color == null ? current.name() : Names.colorDeployment(current.name(), color.label());
    AppServerModel model = o.spec() == null ? current : o.model(current.name(), current.namespace());
    return new DeploymentTarget(name, color, model, replicas);
  }

  /** One pass of the machine: accumulates the plan while a phase handler runs. */
  private static final class Step {
    final AppServerModel m;
    final Observation obs;
    /** What to bring up: the current spec, or while taking over a RollingUpdate Deployment, that Deployment's own spec. */
    final AppServerModel goal;
    final String revision;
    final int replicas;
    final boolean autoPromote;
    final int scaleDownDelay;
    final boolean hasCheck;
    final int deadlineSeconds;

    BlueGreenStatus next;
    final Map<Color, DeploymentTarget> colors = new EnumMap<>(Color.class);
    DeploymentTarget legacy;
    Color serviceColor;
    Color previewColor;
    final List<Note> notes = new ArrayList<>();
    final Set<String> consumed = new HashSet<>();
    Duration requeue;
    Plan.Check check;

    Step(AppServerModel m, Observation obs) {
      this.m = m;
      this.obs = obs;
      this.next = obs.state() == null ? new BlueGreenStatus() : obs.state().copy();
      // Taking over from RollingUpdate first copies the plain Deployment's own revision into blue, so
      // the Service (which selects every pod during the hand-over) never mixes versions; a new
      // revision then rolls out blue-green as usual.
      var rolling = obs.rolling().filter(r -> r.spec() != null && r.revision() != null);
      boolean takingOver = next.getActiveColor() == null && rolling.isPresent();
      this.goal = takingOver ? rolling.get().model(m.name(), m.namespace()) : m;
      this.revision = takingOver ? rolling.get().revision() : m.revision();
      this.replicas = m.spec().getReplicas();
      this.autoPromote = m.blueGreen().autoPromote();
      this.scaleDownDelay = m.blueGreen().scaleDownDelaySeconds();
      this.hasCheck = m.blueGreen().prePromotionCheck();
      this.deadlineSeconds = m.spec().getStrategy().getProgressDeadlineSeconds();
    }

    Plan run() {
      Phase phase = phase(next.getPhase());
      // A request acts in the phase it is meant for and is removed once the persisted state has
      // moved on; in any other phase it is stale and removed without acting.
      boolean rollingOut = phase == Phase.Progressing || phase == Phase.AwaitingPromotion;
      if (obs.promoteRequested() && !rollingOut) consumed.add(Names.ANNOTATION_PROMOTE);
      if (obs.abortRequested() && !rollingOut) consumed.add(Names.ANNOTATION_ABORT);
      if (obs.retryRequested() && phase != Phase.Aborted) consumed.add(Names.ANNOTATION_RETRY);
      if (next.getActiveColor() == null && phase != Phase.Progressing && phase != Phase.Aborted) {
        begin();
      } else {
        switch (phase) {
          case Idle -> idle();
          case Progressing -> progressing();
          case AwaitingPromotion -> awaitingPromotion();
          case ScalingDown -> scalingDown();
          case Aborted -> aborted();
        }
      }
      return finish();
    }

    // ---- handlers, one per phase ----

    /** No colour serves yet: the first deployment goes straight to active; a plain Deployment is handed over. */
    void begin() {
      Color serving = obs.serviceColor();
      if (serving != null && obs.color(serving).isPresent()) {
        // The state was lost (a restore without status, say) but the Service still says who serves.
        next.setPhase(Phase.Idle.name());
        next.setActiveColor(serving.label());
        next.setActiveRevision(obs.color(serving).get().revision());
        notes.add(new Note(EventReason.Adopted, serving.label() + " serves (read back from the Service)"));
        idle();
        return;
      }
      if (obs.rolling().isPresent()) {
        startRollout(null, Color.BLUE, "taking over from the RollingUpdate Deployment " + m.name());
        return;
      }
      next.setPhase(Phase.Idle.name());
      next.setActiveColor(Color.BLUE.label());
      next.setActiveRevision(revision);
      colors.put(Color.BLUE, current(Color.BLUE));
      serviceColor = Color.BLUE;
      notes.add(new Note(EventReason.Deployed, "revision " + revision + " deployed as blue"));
    }

    void idle() {
      Color active = active();
      if (!revision.equals(next.getActiveRevision())) {
        startRollout(active, active.other(), "revision " + revision + " on " + active.other().label()
            + "; " + active.label() + " keeps serving");
        return;
      }
      colors.put(active, current(active));
      serviceColor = active;
      keepIdle(active.other());
    }

    void progressing() {
      Color active = active();
      Color preview = Color.parse(next.getPreviewColor());
      if (preview == null) preview = active == null ? Color.BLUE : active.other();
      if (obs.abortRequested()) {
        abort(active, preview, "rollout aborted by " + Names.ANNOTATION_ABORT);
        return;
      }
      if (!revision.equals(next.getPreviewRevision())) {
        if (active != null && revision.equals(next.getActiveRevision())) {
          cancel(active, preview);
        } else {
          startRollout(active, preview, "revision " + revision + " replaces " + next.getPreviewRevision() + " on " + preview.label());
        }
        return;
      }
      hold(active, preview);
      boolean ready = obs.color(preview).map(o -> o.fullyReady(revision, replicas)).orElse(false);
      Instant deadline = Instant.parse(next.getRolloutStartTime()).plusSeconds(deadlineSeconds);
      boolean late = !obs.now().isBefore(deadline);
      // Past the deadline a failed check is not tried again; a check not yet answered still decides.
      boolean failedLate = late && ready && checkFailed();
      if (ready && !failedLate && checkPassesOrAsk(preview)) {
        if (autoPromote || obs.promoteRequested()) {
          promote(active, preview);
        } else {
          next.setPhase(Phase.AwaitingPromotion.name());
          notes.add(new Note(EventReason.AwaitingPromotion, preview.label() + " is ready with revision " + revision
              + "; promote with: kubectl annotate appserver " + m.name() + " " + Names.ANNOTATION_PROMOTE + "=true"));
        }
        return;
      }
      // A check starting or running: its answer triggers the next reconcile, which decides, even
      // past the deadline (a check gives up after its own timeout).
      if (check != null && check.step() != Plan.Check.Step.RetryLater) return;
      if (late) {
        if (failedLate) notes.add(checkFailedNote());
        abort(active, preview, ready
            ? "revision " + revision + " on " + preview.label() + " did not pass the pre-promotion check ("
                + obs.prePromotionCheck().reason() + ") within " + deadlineSeconds + "s (progressDeadlineSeconds)"
            : "revision " + revision + " on " + preview.label() + " was not ready within "
                + deadlineSeconds + "s (progressDeadlineSeconds)");
        return;
      }
      Duration left = Duration.between(obs.now(), deadline);
      requeue = requeue != null && requeue.compareTo(left) < 0 ? requeue : left;
    }

    void awaitingPromotion() {
      Color active = active();
      Color preview = Color.parse(next.getPreviewColor());
      if (obs.abortRequested()) {
        abort(active, preview, "rollout aborted by " + Names.ANNOTATION_ABORT);
        return;
      }
      if (!revision.equals(next.getPreviewRevision())) {
        if (active != null && revision.equals(next.getActiveRevision())) cancel(active, preview);
        else startRollout(active, preview, "revision " + revision + " replaces " + next.getPreviewRevision() + " on " + preview.label());
        return;
      }
      hold(active, preview);
      boolean ready = obs.color(preview).map(o -> o.fullyReady(revision, replicas)).orElse(false);
      if ((obs.promoteRequested() || autoPromote) && ready && checkPassesOrAsk(preview)) promote(active, preview);
    }

    void scalingDown() {
      Color active = active();
      Color previous = Color.parse(next.getPreviousColor());
      if (previous == null) {
        next.setPhase(Phase.Idle.name());
        idle();
        return;
      }
      String activeRev = next.getActiveRevision();
      String previousRev = next.getPreviousRevision();
      if (!revision.equals(activeRev)) {
        boolean warm = obs.color(previous).map(o -> o.fullyReady(revision, replicas)).orElse(false);
        if (revision.equals(previousRev) && warm) {
          colors.put(previous, current(previous));
          colors.put(active, keepColor(active, replicas));
          next.setActiveColor(previous.label());
          next.setActiveRevision(previousRev);
          next.setPreviousColor(active.label());
          next.setPreviousRevision(activeRev);
          next.setLastPromotionTime(obs.now().toString());
          next.setScaleDownAt(obs.now().plusSeconds(scaleDownDelay).toString());
          serviceColor = previous;
          previewColor = previous;
          requeue = Duration.ofSeconds(Math.max(1, scaleDownDelay));
          notes.add(new Note(EventReason.RolledBack, "traffic switched back to " + previous.label() + " (revision " + previousRev
              + ") with no new pods; " + active.label() + " kept for " + scaleDownDelay + "s"));
          return;
        }
        startRollout(active, previous, "revision " + revision + " on " + previous.label() + "; " + active.label() + " keeps serving");
        return;
      }
      colors.put(active, current(active));
      serviceColor = active;
      previewColor = active;
      Instant at = Instant.parse(next.getScaleDownAt());
      if (obs.now().isBefore(at)) {
        colors.put(previous, keepColor(previous, replicas));
        requeue = Duration.between(obs.now(), at);
        return;
      }
      if (obs.serviceColor() != active) {
        colors.put(previous, keepColor(previous, replicas));
        requeue = Duration.ofSeconds(1);
        return;
      }
      colors.put(previous, keepColor(previous, 0));
      next.setPhase(Phase.Idle.name());
      next.setPreviousColor(null);
      next.setPreviousRevision(null);
      next.setScaleDownAt(null);
      notes.add(new Note(EventReason.ScaledDown, previous.label() + " (revision " + previousRev + ") scaled to zero"));
    }

    void aborted() {
      Color active = active();
      Color failed = active == null ? Color.BLUE : active.other();
      boolean retry = obs.retryRequested();
      if (retry || !revision.equals(next.getAbortedRevision())) {
        next.setAbortedRevision(null);
        next.setAbortReason(null);
        if (active != null && revision.equals(next.getActiveRevision()) && !retry) {
          next.setPhase(Phase.Idle.name());
          idle();
        } else {
          startRollout(active, failed, (retry ? "retrying " : "") + "revision " + revision + " on " + failed.label());
        }
        return;
      }
      if (active != null) {
        colors.put(active, keepColor(active, replicas));
        serviceColor = active;
      }
      keepIdle(failed);
    }

    // ---- transitions ----

    void startRollout(Color active, Color preview, String why) {
      next.setPhase(Phase.Progressing.name());
      next.setPreviewColor(preview.label());
      next.setPreviewRevision(revision);
      next.setPreviousColor(null);
      next.setPreviousRevision(null);
      next.setScaleDownAt(null);
      next.setAbortedRevision(null);
      next.setAbortReason(null);
      next.setRolloutStartTime(obs.now().toString());
      hold(active, preview);
      requeue = Duration.ofSeconds(deadlineSeconds);
      notes.add(new Note(EventReason.RolloutStarted, why));
    }

    /** During a rollout: the active colour (or the plain Deployment) serves, the preview colour comes up. */
    void hold(Color active, Color preview) {
      if (active != null) {
        colors.put(active, keepColor(active, replicas));
        serviceColor = active;
      }
      colors.put(preview, current(preview));
      previewColor = preview;
    }

    void promote(Color active, Color preview) {
      String from = active == null ? "the RollingUpdate Deployment" : active.label() + " (revision " + next.getActiveRevision() + ")";
      next.setPhase(Phase.ScalingDown.name());
      next.setPreviousColor(active == null ? null : active.label());
      next.setPreviousRevision(active == null ? null : next.getActiveRevision());
      next.setActiveColor(preview.label());
      next.setActiveRevision(revision);
      next.setPreviewColor(null);
      next.setPreviewRevision(null);
      next.setRolloutStartTime(null);
      next.setLastPromotionTime(obs.now().toString());
      next.setScaleDownAt(obs.now().plusSeconds(scaleDownDelay).toString());
      colors.put(preview, current(preview));
      if (active != null) colors.put(active, keepColor(active, replicas));
      serviceColor = preview;
      previewColor = preview;
      requeue = Duration.ofSeconds(Math.max(1, scaleDownDelay));
      notes.add(new Note(EventReason.Promoted, "traffic switched from " + from + " to " + preview.label() + " (revision " + revision + ")"));
    }

    void cancel(Color active, Color preview) {
      next.setPhase(Phase.Idle.name());
      next.setPreviewColor(null);
      next.setPreviewRevision(null);
      next.setRolloutStartTime(null);
      colors.put(active, current(active));
      serviceColor = active;
      keepIdle(preview);
      notes.add(new Note(EventReason.RolloutCancelled, "spec reverted to the active revision " + revision + "; "
          + preview.label() + " scaled down"));
    }

    void abort(Color active, Color preview, String why) {
      next.setPhase(Phase.Aborted.name());
      next.setAbortedRevision(next.getPreviewRevision());
      next.setAbortReason(why);
      next.setPreviewColor(null);
      next.setPreviewRevision(null);
      next.setRolloutStartTime(null);
      if (active != null) {
        colors.put(active, keepColor(active, replicas));
        serviceColor = active;
      }
      keepIdle(preview);
      notes.add(new Note(EventReason.RolloutAborted, why + "; " + (active == null ? "the RollingUpdate Deployment" : active.label())
          + " keeps serving"));
    }

    // ---- helpers ----

    Color active() {
      return Color.parse(next.getActiveColor());
    }

    /** The colour built from the current spec. */
    DeploymentTarget current(Color c) {
      return new DeploymentTarget(Names.colorDeployment(m.name(), c.label()), c, goal, replicas);
    }

    /** The colour as it was built, at a replica count. */
    DeploymentTarget keepColor(Color c, int count) {
      return obs.color(c).map(o -> keep(m, c, o, count))
          .orElseGet(() -> new DeploymentTarget(Names.colorDeployment(m.name(), c.label()), c, m, count));
    }

    /** An idle colour stays, scaled to zero, so it can be brought up again. */
    void keepIdle(Color c) {
      if (obs.color(c).isPresent()) colors.put(c, keepColor(c, 0));
    }

    /**
     * For a fully ready preview colour: true when there is no check or it has passed. Otherwise the
     * plan waits on the check: it starts one when none is held for this revision, waits for one
     * running, and after a failure reports it and starts the next {@link #CHECK_RETRY} later.
     */
    boolean checkPassesOrAsk(Color preview) {
      if (!hasCheck) return true;
      PromotionCheckResult held = obs.prePromotionCheck();
      if (held == null) {
        check = new Plan.Check(preview, revision, Plan.Check.Step.Start, null);
        return false;
      }
      switch (held.outcome()) {
        case Passed -> {
          return true;
        }
        case Pending -> check = new Plan.Check(preview, revision, Plan.Check.Step.Running, held.reason());
        case Failed -> {
          notes.add(checkFailedNote());
          Instant retryAt = held.at().plus(CHECK_RETRY);
          if (obs.now().isBefore(retryAt)) {
            check = new Plan.Check(preview, revision, Plan.Check.Step.RetryLater, held.reason());
            requeue = Duration.between(obs.now(), retryAt);
          } else {
            check = new Plan.Check(preview, revision, Plan.Check.Step.Start, held.reason());
          }
        }
      }
      return false;
    }

    boolean checkFailed() {
      return hasCheck && obs.prePromotionCheck() != null
          && obs.prePromotionCheck().outcome() == PromotionCheckResult.Outcome.Failed;
    }

    Note checkFailedNote() {
      return new Note(EventReason.PrePromotionCheckFailed, "the pre-promotion check through " + Names.previewService(m.name())
          + " did not answer 2xx (" + obs.prePromotionCheck().reason() + "); traffic stays on "
          + (active() == null ? "the current pods" : active().label()));
    }

    Plan finish() {
      List<DeploymentTarget> targets = new ArrayList<>(colors.values());
      Color active = active();
      // A plain Deployment left from RollingUpdate serves until the Service is seen selecting a colour.
      boolean keepRolling = obs.rolling().isPresent() && (active == null || obs.serviceColor() != active);
      if (keepRolling) {
        var r = obs.rolling().get();
        targets.add(keep(m, null, r, r.replicas()));
      }
      Map<String, String> all = Names.podSelector(m.name());
      Map<String, String> service = serviceColor == null ? all : RolloutPlanner.withColor(all, serviceColor);
      Color previewSel = previewColor != null ? previewColor : serviceColor;
      Map<String, String> preview = previewSel == null ? all : RolloutPlanner.withColor(all, previewSel);
      String serving = serviceColor != null ? Names.colorDeployment(m.name(), serviceColor.label())
          : keepRolling ? m.name() : Names.colorDeployment(m.name(), Color.BLUE.label());
      return new Plan(targets, serving, service, preview, next, notes, requeue, consumed, check);
    }

    static Phase phase(String value) {
      if (value == null) return Phase.Idle;
      try {
        return Phase.valueOf(value);
      } catch (IllegalArgumentException e) {
        return Phase.Idle;
      }
    }
  }
}
