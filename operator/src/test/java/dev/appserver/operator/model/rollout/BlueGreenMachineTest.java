package dev.appserver.operator.model.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.Revisions;
import dev.appserver.operator.model.rollout.BlueGreenMachine.Phase;
import dev.appserver.operator.model.rollout.Plan.DeploymentTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BlueGreenMachineTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static AppServerModel model(String image, String extra) {
    return TestAppServers.model("""
        image: %s
        app: app:app
        strategy: {type: BlueGreen, progressDeadlineSeconds: 600%s}
        """.formatted(image, extra));
  }

  static final AppServerModel V1 = model("example/app:1", "");
  static final AppServerModel V2 = model("example/app:2", "");
  static final String R1 = Revisions.revision(V1);
  static final String R2 = Revisions.revision(V2);

  /** A colour Deployment as observed: built from {@code m}, {@code ready} of {@code replicas} pods ready. */
  static DeploymentObservation seen(Color c, AppServerModel m, int replicas, int ready) {
    return new DeploymentObservation(Names.colorDeployment("web", c.label()), Revisions.revision(m), m.spec(),
        replicas, ready, ready, ready, true);
  }

  static BlueGreenStatus state(Phase phase, Color active, String activeRev) {
    var s = new BlueGreenStatus();
    s.setPhase(phase.name());
    s.setActiveColor(active == null ? null : active.label());
    s.setActiveRevision(activeRev);
    return s;
  }

  static final class Obs {
    BlueGreenStatus state;
    DeploymentObservation rolling;
    final Map<Color, DeploymentObservation> colors = new EnumMap<>(Color.class);
    Color serviceColor;
    boolean promote, abort, retry;
    /** A check that has just answered: true passed, false failed; null: none held (unless {@link #held} is set). */
    Boolean check;
    PromotionCheckResult held;
    Instant now = T0;

    Obs state(BlueGreenStatus s) { state = s; return this; }
    Obs color(DeploymentObservation o, Color c) { colors.put(c, o); return this; }
    Obs service(Color c) { serviceColor = c; return this; }
    Obs at(Instant t) { now = t; return this; }

    Observation build() {
      Map<String, String> selector = new HashMap<>(Names.podSelector("web"));
      if (serviceColor != null) selector.put(Names.LABEL_COLOR, serviceColor.label());
      return new Observation(state, Optional.ofNullable(rolling), colors, selector, promote, abort, retry,
          held != null ? held : answered(check, now), now);
    }
  }

  /** A check that answered at {@code at}: true passed, false failed, null none held. */
  static PromotionCheckResult answered(Boolean passed, Instant at) {
    if (passed == null) return null;
    return passed ? PromotionCheckResult.passed("HTTP 200", at) : PromotionCheckResult.failed("HTTP 503", at);
  }

  static Color serviceColor(Plan p) {
    return Color.parse(p.serviceSelector().get(Names.LABEL_COLOR));
  }

  static DeploymentTarget target(Plan p, Color c) {
    return p.deployment("web-" + c.label()).orElseThrow(() -> new AssertionError("no " + c + " in " + p.deployments()));
  }

  static List<String> reasons(Plan p) {
    return p.notes().stream().map(n -> n.reason().name()).toList();
  }

  /** Idle on blue at R1, blue ready, green scaled down. */
  static Obs idleOnBlue() {
    return new Obs().state(state(Phase.Idle, Color.BLUE, R1)).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V1, 0, 0), Color.GREEN).service(Color.BLUE);
  }

  /** Rolling out R2 on green since T0, blue serving R1. */
  static Obs progressingToGreen(int greenReady) {
    var s = state(Phase.Progressing, Color.BLUE, R1);
    s.setPreviewColor("green");
    s.setPreviewRevision(R2);
    s.setRolloutStartTime(T0.toString());
    return new Obs().state(s).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V2, 2, greenReady), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(20));
  }

  /** Green active at R2 since T0, blue (R1) kept until T0+30s. */
  static Obs scalingDownFromBlue(Color serviceSeen) {
    var s = state(Phase.ScalingDown, Color.GREEN, R2);
    s.setPreviousColor("blue");
    s.setPreviousRevision(R1);
    s.setLastPromotionTime(T0.toString());
    s.setScaleDownAt(T0.plusSeconds(30).toString());
    return new Obs().state(s).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V2, 2, 2), Color.GREEN).service(serviceSeen).at(T0.plusSeconds(10));
  }

  @Test
  void firstDeploymentGoesStraightToActive() {
    Plan p = BlueGreenMachine.plan(V1, new Obs().build());
    assertThat(p.deployments()).extracting(DeploymentTarget::name).containsExactly("web-blue");
    assertThat(target(p, Color.BLUE).replicas()).isEqualTo(2);
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(p.blueGreen().getPhase()).isEqualTo("Idle");
    assertThat(p.blueGreen().getActiveRevision()).isEqualTo(R1);
    assertThat(reasons(p)).containsExactly("Deployed");
  }

  @Test
  void idleWithTheSameRevisionChangesNothing() {
    Plan p = BlueGreenMachine.plan(V1, idleOnBlue().build());
    assertThat(p.blueGreen()).isEqualTo(idleOnBlue().state);
    assertThat(target(p, Color.BLUE).model()).isEqualTo(V1);
    assertThat(target(p, Color.GREEN).replicas()).isZero();
    assertThat(p.notes()).isEmpty();
    assertThat(p.requeueAfter()).isNull();
  }

  @Test
  void templateChangeStartsTheNewColourBesideTheActiveOneUntouched() {
    Plan p = BlueGreenMachine.plan(V2, idleOnBlue().at(T0).build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(p.blueGreen().getPreviewColor()).isEqualTo("green");
    assertThat(p.blueGreen().getPreviewRevision()).isEqualTo(R2);
    assertThat(p.blueGreen().getRolloutStartTime()).isEqualTo(T0.toString());
    assertThat(target(p, Color.GREEN).model()).isEqualTo(V2);
    assertThat(target(p, Color.GREEN).replicas()).isEqualTo(2);
    assertThat(Revisions.revision(target(p, Color.BLUE).model())).as("blue keeps its own template").isEqualTo(R1);
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(p.previewSelector()).containsEntry(Names.LABEL_COLOR, "green");
    assertThat(reasons(p)).containsExactly("RolloutStarted");
  }

  @Test
  void newColourStartsAtTheActiveReplicaCountSoAnAutoscaledAppIsNotCutDown() {
    var scaled = model("example/app:2", "");
    scaled.spec().setReplicas(7);
    Plan p = BlueGreenMachine.plan(scaled, idleOnBlue().build());
    assertThat(target(p, Color.GREEN).replicas()).isEqualTo(7);
    assertThat(target(p, Color.BLUE).replicas()).isEqualTo(7);
  }

  @Test
  void trafficSwitchesOnlyWhenEveryNewPodIsReady() {
    Plan waiting = BlueGreenMachine.plan(V2, progressingToGreen(1).build());
    assertThat(serviceColor(waiting)).isEqualTo(Color.BLUE);
    assertThat(waiting.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(waiting.previewSelector()).containsEntry(Names.LABEL_COLOR, "green");
    assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(580));

    Plan ready = BlueGreenMachine.plan(V2, progressingToGreen(2).build());
    assertThat(serviceColor(ready)).isEqualTo(Color.GREEN);
    assertThat(ready.blueGreen().getPhase()).isEqualTo("ScalingDown");
    assertThat(ready.blueGreen().getActiveColor()).isEqualTo("green");
    assertThat(ready.blueGreen().getPreviousColor()).isEqualTo("blue");
    assertThat(ready.blueGreen().getLastPromotionTime()).isEqualTo(T0.plusSeconds(20).toString());
    assertThat(target(ready, Color.BLUE).replicas()).as("old colour kept warm").isEqualTo(2);
    assertThat(reasons(ready)).containsExactly("Promoted");
  }

  @Test
  void previousColourStaysScaledForTheDelayThenGoesOnceTheServiceIsSeenOnTheNewOne() {
    Plan early = BlueGreenMachine.plan(V2, scalingDownFromBlue(Color.GREEN).build());
    assertThat(target(early, Color.BLUE).replicas()).isEqualTo(2);
    assertThat(early.requeueAfter()).isEqualTo(Duration.ofSeconds(20));

    Plan serviceLagging = BlueGreenMachine.plan(V2, scalingDownFromBlue(Color.BLUE).at(T0.plusSeconds(31)).build());
    assertThat(target(serviceLagging, Color.BLUE).replicas()).isEqualTo(2);
    assertThat(serviceColor(serviceLagging)).isEqualTo(Color.GREEN);

    Plan late = BlueGreenMachine.plan(V2, scalingDownFromBlue(Color.GREEN).at(T0.plusSeconds(31)).build());
    assertThat(target(late, Color.BLUE).replicas()).isZero();
    assertThat(late.blueGreen().getPhase()).isEqualTo("Idle");
    assertThat(late.blueGreen().getPreviousColor()).isNull();
    assertThat(reasons(late)).containsExactly("ScaledDown");
  }

  @Test
  void zeroDelayScalesDownRightAfterTheSwitchIsSeen() {
    var noDelay = model("example/app:2", ", blueGreen: {scaleDownDelaySeconds: 0}");
    Plan promoted = BlueGreenMachine.plan(noDelay, progressingToGreen(2).build());
    assertThat(promoted.blueGreen().getScaleDownAt()).isEqualTo(promoted.blueGreen().getLastPromotionTime());
    var after = new Obs().state(promoted.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, noDelay, 2, 2), Color.GREEN).service(Color.GREEN).at(T0.plusSeconds(21));
    Plan down = BlueGreenMachine.plan(noDelay, after.build());
    assertThat(target(down, Color.BLUE).replicas()).isZero();
    assertThat(down.blueGreen().getPhase()).isEqualTo("Idle");
  }

  @Test
  void revertingWithinTheWindowSwitchesBackAtOnceWithNoNewPods() {
    Plan p = BlueGreenMachine.plan(V1, scalingDownFromBlue(Color.GREEN).build());
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(p.blueGreen().getActiveColor()).isEqualTo("blue");
    assertThat(p.blueGreen().getActiveRevision()).isEqualTo(R1);
    assertThat(p.blueGreen().getPreviousColor()).isEqualTo("green");
    assertThat(p.blueGreen().getPhase()).isEqualTo("ScalingDown");
    assertThat(Revisions.revision(target(p, Color.BLUE).model())).isEqualTo(R1);
    assertThat(target(p, Color.BLUE).replicas()).as("same pods, no new ones").isEqualTo(2);
    assertThat(target(p, Color.GREEN).replicas()).isEqualTo(2);
    assertThat(reasons(p)).containsExactly("RolledBack");
  }

  @Test
  void aThirdRevisionDuringTheWindowReusesThePreviousColour() {
    var v3 = model("example/app:3", "");
    Plan p = BlueGreenMachine.plan(v3, scalingDownFromBlue(Color.GREEN).build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(p.blueGreen().getPreviewColor()).isEqualTo("blue");
    assertThat(serviceColor(p)).isEqualTo(Color.GREEN);
    assertThat(target(p, Color.BLUE).model()).isEqualTo(v3);
  }

  @Test
  void neverReadyRevisionIsAbandonedAtTheDeadlineWithTheOldColourServing() {
    Plan before = BlueGreenMachine.plan(V2, progressingToGreen(0).at(T0.plusSeconds(599)).build());
    assertThat(before.blueGreen().getPhase()).isEqualTo("Progressing");
    Plan p = BlueGreenMachine.plan(V2, progressingToGreen(0).at(T0.plusSeconds(600)).build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Aborted");
    assertThat(p.blueGreen().getAbortedRevision()).isEqualTo(R2);
    assertThat(p.blueGreen().getAbortReason()).contains("not ready within 600s");
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(target(p, Color.GREEN).replicas()).isZero();
    assertThat(target(p, Color.BLUE).replicas()).isEqualTo(2);
    assertThat(p.notes()).singleElement().satisfies(n -> {
      assertThat(n.type()).isEqualTo(EventReason.Type.Warning);
      assertThat(n.reason()).isEqualTo(EventReason.RolloutAborted);
    });
  }

  private static Obs abortedGreen() {
    var s = state(Phase.Aborted, Color.BLUE, R1);
    s.setAbortedRevision(R2);
    s.setAbortReason("not ready");
    return new Obs().state(s).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V2, 0, 0), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(700));
  }

  @Test
  void anAbandonedRevisionIsNotRetriedUntilTheSpecChangesOrRetryIsAsked() {
    Plan stays = BlueGreenMachine.plan(V2, abortedGreen().build());
    assertThat(stays.blueGreen().getPhase()).isEqualTo("Aborted");
    assertThat(target(stays, Color.GREEN).replicas()).isZero();
    assertThat(stays.notes()).isEmpty();

    var v3 = model("example/app:3", "");
    Plan changed = BlueGreenMachine.plan(v3, abortedGreen().build());
    assertThat(changed.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(changed.blueGreen().getPreviewRevision()).isEqualTo(Revisions.revision(v3));
    assertThat(changed.blueGreen().getAbortedRevision()).isNull();

    var retry = abortedGreen();
    retry.retry = true;
    Plan retried = BlueGreenMachine.plan(V2, retry.build());
    assertThat(retried.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(retried.blueGreen().getPreviewRevision()).isEqualTo(R2);
    assertThat(retried.consumedAnnotations()).as("kept until the new state is persisted").isEmpty();
    var after = new Obs().state(retried.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V2, 2, 0), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(701));
    after.retry = true;
    assertThat(BlueGreenMachine.plan(V2, after.build()).consumedAnnotations()).containsExactly(Names.ANNOTATION_RETRY);

    Plan reverted = BlueGreenMachine.plan(V1, abortedGreen().build());
    assertThat(reverted.blueGreen().getPhase()).isEqualTo("Idle");
    assertThat(target(reverted, Color.GREEN).replicas()).isZero();
  }

  @Test
  void manualPromotionWaitsForTheAnnotation() {
    var manual = model("example/app:2", ", blueGreen: {autoPromote: false}");
    var obs = progressingToGreen(2);
    obs.colors.put(Color.GREEN, seen(Color.GREEN, manual, 2, 2));
    Plan waiting = BlueGreenMachine.plan(manual, obs.build());
    assertThat(waiting.blueGreen().getPhase()).isEqualTo("AwaitingPromotion");
    assertThat(serviceColor(waiting)).isEqualTo(Color.BLUE);
    assertThat(reasons(waiting)).containsExactly("AwaitingPromotion");

    var later = new Obs().state(waiting.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, manual, 2, 2), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(3600));
    Plan stillWaiting = BlueGreenMachine.plan(manual, later.build());
    assertThat(stillWaiting.blueGreen().getPhase()).as("no deadline while waiting for a person").isEqualTo("AwaitingPromotion");
    later.promote = true;
    Plan promoted = BlueGreenMachine.plan(manual, later.build());
    assertThat(serviceColor(promoted)).isEqualTo(Color.GREEN);
    assertThat(promoted.consumedAnnotations()).as("an operator that dies before writing status promotes again").isEmpty();

    var persisted = new Obs().state(promoted.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, manual, 2, 2), Color.GREEN).service(Color.GREEN).at(T0.plusSeconds(3601));
    persisted.promote = true;
    assertThat(BlueGreenMachine.plan(manual, persisted.build()).consumedAnnotations()).containsExactly(Names.ANNOTATION_PROMOTE);
  }

  @Test
  void turningAutoPromoteOnReleasesAWaitingRollout() {
    var manual = model("example/app:2", ", blueGreen: {autoPromote: false}");
    var waiting = progressingToGreen(2);
    waiting.colors.put(Color.GREEN, seen(Color.GREEN, manual, 2, 2));
    var state = BlueGreenMachine.plan(manual, waiting.build()).blueGreen();
    assertThat(state.getPhase()).isEqualTo("AwaitingPromotion");
    var auto = model("example/app:2", ", blueGreen: {autoPromote: true}");
    var obs = new Obs().state(state).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, auto, 2, 2), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(60));
    assertThat(serviceColor(BlueGreenMachine.plan(auto, obs.build()))).isEqualTo(Color.GREEN);
  }

  @Test
  void aStaleRequestIsRemovedWithoutActing() {
    var idle = idleOnBlue();
    idle.promote = true;
    idle.abort = true;
    idle.retry = true;
    Plan p = BlueGreenMachine.plan(V2, idle.build());
    assertThat(p.consumedAnnotations()).containsExactlyInAnyOrder(
        Names.ANNOTATION_PROMOTE, Names.ANNOTATION_ABORT, Names.ANNOTATION_RETRY);
    assertThat(p.blueGreen().getPhase()).as("the stale abort does not abandon the rollout it starts").isEqualTo("Progressing");
  }

  @Test
  void abortAnnotationAbandonsTheRollout() {
    var obs = progressingToGreen(1);
    obs.abort = true;
    Plan p = BlueGreenMachine.plan(V2, obs.build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Aborted");
    assertThat(p.blueGreen().getAbortReason()).contains("appserver.dev/abort");
    assertThat(p.consumedAnnotations()).isEmpty();
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    var persisted = new Obs().state(p.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .color(seen(Color.GREEN, V2, 0, 0), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(21));
    persisted.abort = true;
    assertThat(BlueGreenMachine.plan(V2, persisted.build()).consumedAnnotations()).containsExactly(Names.ANNOTATION_ABORT);
  }

  @Test
  void revertingBeforePromotionCancelsTheRollout() {
    Plan p = BlueGreenMachine.plan(V1, progressingToGreen(1).build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Idle");
    assertThat(target(p, Color.GREEN).replicas()).isZero();
    assertThat(reasons(p)).containsExactly("RolloutCancelled");
  }

  @Test
  void prePromotionCheckIsAskedForThenGatesTheSwitch() {
    var checked = model("example/app:2", ", blueGreen: {prePromotionCheck: {path: /health}}");
    var obs = progressingToGreen(2);
    obs.colors.put(Color.GREEN, seen(Color.GREEN, checked, 2, 2));
    Plan ask = BlueGreenMachine.plan(checked, obs.build());
    assertThat(ask.check().color()).isEqualTo(Color.GREEN);
    assertThat(serviceColor(ask)).isEqualTo(Color.BLUE);

    obs.check = false;
    Plan failed = BlueGreenMachine.plan(checked, obs.build());
    assertThat(serviceColor(failed)).isEqualTo(Color.BLUE);
    assertThat(failed.requeueAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(reasons(failed)).containsExactly("PrePromotionCheckFailed");

    obs.check = true;
    Plan passed = BlueGreenMachine.plan(checked, obs.build());
    assertThat(serviceColor(passed)).isEqualTo(Color.GREEN);
  }

  static final AppServerModel CHECKED = model("example/app:2", ", blueGreen: {prePromotionCheck: {path: /health}}");

  /** Green fully ready with R2 under a spec with a check, at T0 + {@code seconds}, holding {@code held}. */
  static Obs greenReadyHolding(PromotionCheckResult held, long seconds) {
    var obs = progressingToGreen(2).at(T0.plusSeconds(seconds));
    obs.colors.put(Color.GREEN, seen(Color.GREEN, CHECKED, 2, 2));
    obs.held = held;
    return obs;
  }

  @Test
  void aReadyColourWithNoCheckHeldStartsOneAndWaitsForItsAnswerWithoutATimer() {
    Plan p = BlueGreenMachine.plan(CHECKED, greenReadyHolding(null, 20).build());
    assertThat(p.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.Start, null));
    assertThat(p.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(p.requeueAfter()).as("the answer triggers the next reconcile").isNull();
    assertThat(p.notes()).isEmpty();
  }

  @Test
  void aRunningCheckHoldsTheSwitchAndStartsNoOther() {
    Plan p = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.pending(null, T0.plusSeconds(20)), 22).build());
    assertThat(p.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.Running, null));
    assertThat(p.blueGreen()).isEqualTo(progressingToGreen(2).state);
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(target(p, Color.GREEN).replicas()).isEqualTo(2);
    assertThat(p.requeueAfter()).isNull();
    assertThat(p.notes()).isEmpty();
  }

  @Test
  void aCheckStillRunningAtTheDeadlineDecidesWhenItAnswers() {
    Plan running = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.pending(null, T0.plusSeconds(598)), 601).build());
    assertThat(running.blueGreen().getPhase()).as("not abandoned while the check runs").isEqualTo("Progressing");
    assertThat(running.check().step()).isEqualTo(Plan.Check.Step.Running);

    Plan passed = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.passed("HTTP 200", T0.plusSeconds(602)), 602).build());
    assertThat(passed.blueGreen().getPhase()).isEqualTo("ScalingDown");
    assertThat(serviceColor(passed)).isEqualTo(Color.GREEN);

    Plan notYetAsked = BlueGreenMachine.plan(CHECKED, greenReadyHolding(null, 601).build());
    assertThat(notYetAsked.blueGreen().getPhase()).as("a colour ready at the deadline still gets its check").isEqualTo("Progressing");
    assertThat(notYetAsked.check().step()).isEqualTo(Plan.Check.Step.Start);
  }

  @Test
  void aPassedCheckSwitchesTrafficAndIsDropped() {
    Plan p = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.passed("HTTP 200", T0.plusSeconds(21)), 21).build());
    assertThat(serviceColor(p)).isEqualTo(Color.GREEN);
    assertThat(p.blueGreen().getPhase()).isEqualTo("ScalingDown");
    assertThat(p.check()).as("no check is waited on once it has been used").isNull();
    assertThat(reasons(p)).containsExactly("Promoted");
  }

  @Test
  void aFailedCheckIsReportedAndTriedAgainFiveSecondsAfterItAnswered() {
    var failed = PromotionCheckResult.failed("HTTP 503", T0.plusSeconds(18));
    Plan waiting = BlueGreenMachine.plan(CHECKED, greenReadyHolding(failed, 20).build());
    assertThat(waiting.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.RetryLater, "HTTP 503"));
    assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(serviceColor(waiting)).isEqualTo(Color.BLUE);
    assertThat(waiting.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(waiting.notes()).singleElement().satisfies(n -> {
      assertThat(n.type()).isEqualTo(EventReason.Type.Warning);
      assertThat(n.reason()).isEqualTo(EventReason.PrePromotionCheckFailed);
      assertThat(n.message()).isEqualTo(
          "the pre-promotion check through web-preview did not answer 2xx (HTTP 503); traffic stays on blue");
    });

    Plan retry = BlueGreenMachine.plan(CHECKED, greenReadyHolding(failed, 23).build());
    assertThat(retry.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.Start, "HTTP 503"));
    assertThat(serviceColor(retry)).isEqualTo(Color.BLUE);
    assertThat(retry.requeueAfter()).as("the answer triggers the next reconcile").isNull();

    Plan retrying = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.pending("HTTP 503", T0.plusSeconds(23)), 24).build());
    assertThat(retrying.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.Running, "HTTP 503"));
    assertThat(retrying.notes()).isEmpty();
  }

  @Test
  void aRetryNeverWaitsPastTheDeadline() {
    Plan p = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.failed("HTTP 503", T0.plusSeconds(597)), 598).build());
    assertThat(p.requeueAfter()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aFailedCheckAtTheDeadlineAbandonsTheRollout() {
    Plan p = BlueGreenMachine.plan(CHECKED, greenReadyHolding(PromotionCheckResult.failed("HTTP 503", T0.plusSeconds(590)), 600).build());
    assertThat(p.blueGreen().getPhase()).isEqualTo("Aborted");
    assertThat(p.blueGreen().getAbortReason())
        .isEqualTo("revision " + R2 + " on green did not pass the pre-promotion check (HTTP 503) within 600s (progressDeadlineSeconds)");
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
    assertThat(target(p, Color.GREEN).replicas()).isZero();
    assertThat(p.check()).isNull();
    assertThat(reasons(p)).containsExactly("PrePromotionCheckFailed", "RolloutAborted");
  }

  @Test
  void aColourNoLongerFullyReadyDropsItsCheck() {
    var obs = greenReadyHolding(PromotionCheckResult.pending(null, T0.plusSeconds(20)), 21);
    obs.colors.put(Color.GREEN, seen(Color.GREEN, CHECKED, 2, 1));
    Plan p = BlueGreenMachine.plan(CHECKED, obs.build());
    assertThat(p.check()).isNull();
    assertThat(p.requeueAfter()).isEqualTo(Duration.ofSeconds(579));
    assertThat(serviceColor(p)).isEqualTo(Color.BLUE);
  }

  @Test
  void withManualPromotionTheCheckPassesBeforeAwaitingAndAgainWhenThePromoteAnnotationArrives() {
    var manual = model("example/app:2", ", blueGreen: {autoPromote: false, prePromotionCheck: {path: /health}}");
    var obs = progressingToGreen(2);
    obs.colors.put(Color.GREEN, seen(Color.GREEN, manual, 2, 2));
    obs.held = PromotionCheckResult.passed("HTTP 200", T0.plusSeconds(20));
    Plan awaiting = BlueGreenMachine.plan(manual, obs.build());
    assertThat(awaiting.blueGreen().getPhase()).isEqualTo("AwaitingPromotion");
    assertThat(awaiting.check()).as("dropped: the annotation asks for a fresh check").isNull();

    java.util.function.Function<PromotionCheckResult, Plan> promoteWith = held -> {
      var later = new Obs().state(awaiting.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
          .color(seen(Color.GREEN, manual, 2, 2), Color.GREEN).service(Color.BLUE).at(T0.plusSeconds(3600));
      later.promote = true;
      later.held = held;
      return BlueGreenMachine.plan(manual, later.build());
    };
    Plan ask = promoteWith.apply(null);
    assertThat(ask.check()).isEqualTo(new Plan.Check(Color.GREEN, R2, Plan.Check.Step.Start, null));
    assertThat(serviceColor(ask)).isEqualTo(Color.BLUE);

    Plan running = promoteWith.apply(PromotionCheckResult.pending(null, T0.plusSeconds(3599)));
    assertThat(running.check().step()).isEqualTo(Plan.Check.Step.Running);
    assertThat(running.requeueAfter()).isNull();
    assertThat(running.blueGreen().getPhase()).isEqualTo("AwaitingPromotion");

    Plan failed = promoteWith.apply(PromotionCheckResult.failed("no answer within 5s", T0.plusSeconds(3599)));
    assertThat(failed.check().step()).isEqualTo(Plan.Check.Step.RetryLater);
    assertThat(failed.requeueAfter()).isEqualTo(Duration.ofSeconds(4));
    assertThat(failed.consumedAnnotations()).as("the annotation stays until the switch").isEmpty();
    assertThat(reasons(failed)).containsExactly("PrePromotionCheckFailed");

    Plan passed = promoteWith.apply(PromotionCheckResult.passed("HTTP 200", T0.plusSeconds(3600)));
    assertThat(serviceColor(passed)).isEqualTo(Color.GREEN);
    assertThat(passed.check()).isNull();
  }

  @Test
  void takingOverFromRollingUpdateKeepsThePlainDeploymentUntilTheServiceMoves() {
    var rolling = new DeploymentObservation("web", R1, V1.spec(), 2, 2, 2, 2, true);
    var obs = new Obs();
    obs.rolling = rolling;
    obs.serviceColor = null;
    Plan start = BlueGreenMachine.plan(V1, obs.build());
    assertThat(start.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(start.blueGreen().getActiveColor()).isNull();
    assertThat(start.deployments()).extracting(DeploymentTarget::name).containsExactlyInAnyOrder("web-blue", "web");
    assertThat(start.serviceSelector()).isEqualTo(Names.podSelector("web"));
    assertThat(start.serving()).isEqualTo("web");

    var ready = new Obs().state(start.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE).at(T0.plusSeconds(5));
    ready.rolling = rolling;
    Plan promoted = BlueGreenMachine.plan(V1, ready.build());
    assertThat(serviceColor(promoted)).isEqualTo(Color.BLUE);
    assertThat(promoted.deployment("web")).as("kept until the Service is seen on blue").isPresent();

    var moved = new Obs().state(promoted.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE)
        .service(Color.BLUE).at(T0.plusSeconds(6));
    moved.rolling = rolling;
    Plan done = BlueGreenMachine.plan(V1, moved.build());
    assertThat(done.deployment("web")).isEmpty();
  }

  @Test
  void takingOverWithANewImageInTheSameEditCopiesTheOldRevisionFirstSoVersionsNeverMix() {
    var rolling = new DeploymentObservation("web", R1, V1.spec(), 2, 2, 2, 2, true);
    var obs = new Obs();
    obs.rolling = rolling;
    Plan start = BlueGreenMachine.plan(V2, obs.build());
    assertThat(start.blueGreen().getPreviewRevision()).isEqualTo(R1);
    assertThat(Revisions.revision(target(start, Color.BLUE).model())).isEqualTo(R1);

    var blueReady = new Obs().state(start.blueGreen()).color(seen(Color.BLUE, V1, 2, 2), Color.BLUE).at(T0.plusSeconds(5));
    blueReady.rolling = rolling;
    Plan promoted = BlueGreenMachine.plan(V2, blueReady.build());
    assertThat(serviceColor(promoted)).isEqualTo(Color.BLUE);
    var handedOver = new Obs().state(promoted.blueGreen())
        .color(seen(Color.BLUE, V1, 2, 2), Color.BLUE).service(Color.BLUE).at(T0.plusSeconds(40));
    assertThat(handedOver.state.getActiveColor()).isEqualTo("blue");
    // blue (R1) serves; now the new image rolls out on green as a normal blue-green update.
    var next = handedOver.state.copy();
    next.setPhase("Idle");
    Plan rollout = BlueGreenMachine.plan(V2, handedOver.state(next).build());
    assertThat(rollout.blueGreen().getPreviewColor()).isEqualTo("green");
    assertThat(rollout.blueGreen().getPreviewRevision()).isEqualTo(R2);
    assertThat(serviceColor(rollout)).isEqualTo(Color.BLUE);
  }

  @Test
  void backToRollingUpdateKeepsTheActiveColourServingUntilThePlainDeploymentIsReady() {
    var rollingModel = TestAppServers.model("""
        image: example/app:1
        app: app:app
        """);
    var obs = idleOnBlue();
    Plan starting = RolloutPlanner.plan(rollingModel, obs.build());
    assertThat(starting.deployment("web")).isPresent();
    assertThat(serviceColor(starting)).isEqualTo(Color.BLUE);
    assertThat(target(starting, Color.BLUE).replicas()).isEqualTo(2);

    obs.rolling = new DeploymentObservation("web", Revisions.revision(rollingModel), rollingModel.spec(), 2, 2, 2, 2, true);
    Plan widen = RolloutPlanner.plan(rollingModel, obs.build());
    assertThat(widen.serviceSelector()).isEqualTo(Names.podSelector("web"));
    assertThat(widen.deployment("web-blue")).as("blue stays until the Service is seen widened").isPresent();

    obs.serviceColor = null;
    Plan done = RolloutPlanner.plan(rollingModel, obs.build());
    assertThat(done.deployments()).extracting(DeploymentTarget::name).containsExactly("web");
    assertThat(done.blueGreen()).isNull();
  }

  @Test
  void aLostStatusIsReadBackFromTheService() {
    var obs = idleOnBlue();
    obs.state = null;
    obs.colors.put(Color.GREEN, seen(Color.GREEN, V2, 2, 2));
    obs.serviceColor = Color.GREEN;
    Plan p = BlueGreenMachine.plan(V2, obs.build());
    assertThat(p.blueGreen().getActiveColor()).isEqualTo("green");
    assertThat(p.blueGreen().getActiveRevision()).isEqualTo(R2);
    assertThat(serviceColor(p)).isEqualTo(Color.GREEN);
    assertThat(target(p, Color.BLUE).replicas()).isZero();
    assertThat(reasons(p)).containsExactly("Adopted");
  }

  @Test
  void planningIsAPureFunctionOfTheObservation() {
    for (Obs o : List.of(idleOnBlue(), progressingToGreen(1), progressingToGreen(2), scalingDownFromBlue(Color.GREEN), abortedGreen())) {
      assertThat(BlueGreenMachine.plan(V2, o.build())).isEqualTo(BlueGreenMachine.plan(V2, o.build()));
    }
  }

  /** How a colour's Deployment is observed in the walk below: every readiness dimension, one at a time. */
  enum Readiness {
    ABSENT, FULLY_READY, NOTHING_READY, ONE_OF_TWO_READY, HALF_UPDATED, ONE_UNAVAILABLE, NOT_OBSERVED, OLD_REVISION,
    MORE_THAN_WANTED;

    /** The observation of colour {@code c}, built from {@code m} (2 replicas wanted), or null when absent. */
    DeploymentObservation of(Color c, AppServerModel m) {
      String name = Names.colorDeployment("web", c.label());
      String rev = REVISIONS.computeIfAbsent(m, Revisions::revision);
      return switch (this) {
        case ABSENT -> null;
        case FULLY_READY -> new DeploymentObservation(name, rev, m.spec(), 2, 2, 2, 2, true);
        case NOTHING_READY -> new DeploymentObservation(name, rev, m.spec(), 2, 0, 0, 0, true);
        case ONE_OF_TWO_READY -> new DeploymentObservation(name, rev, m.spec(), 2, 1, 2, 1, true);
        case HALF_UPDATED -> new DeploymentObservation(name, rev, m.spec(), 2, 2, 1, 2, true);
        case ONE_UNAVAILABLE -> new DeploymentObservation(name, rev, m.spec(), 2, 2, 2, 1, true);
        case NOT_OBSERVED -> new DeploymentObservation(name, rev, m.spec(), 2, 2, 2, 2, false);
        case OLD_REVISION -> new DeploymentObservation(name, R0, V0.spec(), 2, 2, 2, 2, true);
        case MORE_THAN_WANTED -> new DeploymentObservation(name, rev, m.spec(), 3, 3, 3, 3, true);
      };
    }
  }

  static final AppServerModel V0 = model("example/app:0", "");
  /** Revisions of the walk's few models, computed once. */
  static final Map<AppServerModel, String> REVISIONS = new java.util.IdentityHashMap<>();
  static final String R0 = Revisions.revision(V0);

  /**
   * The oracle, written out here rather than borrowed from the production predicate: every one of
   * the {@code wanted} pods the Deployment asks for exists, runs {@code revision}, is ready and
   * available, and the Deployment controller has seen the Deployment's latest spec.
   */
  static boolean everyPodReadyAt(DeploymentObservation d, String revision, int wanted) {
    return d != null && d.observed() && revision.equals(d.revision())
        && d.replicas() == wanted && d.updated() == wanted && d.ready() == wanted && d.available() == wanted;
  }

  /** Spec pairs (the old and the new revision) and the pre-promotion check result to observe. */
  record Family(String name, AppServerModel v1, AppServerModel v2, Boolean check) {}

  static final Family AUTO = new Family("auto", V1, V2, null);

  /** Promotion mode and check result matter while a rollout waits for the switch. */
  static List<Family> families(Phase phase) {
    if (phase != Phase.Progressing && phase != Phase.AwaitingPromotion) return List.of(AUTO);
    String withCheck = ", blueGreen: {prePromotionCheck: {path: /health}}";
    var c1 = model("example/app:1", withCheck);
    var c2 = model("example/app:2", withCheck);
    var m1 = model("example/app:1", ", blueGreen: {autoPromote: false}");
    var m2 = model("example/app:2", ", blueGreen: {autoPromote: false}");
    return List.of(AUTO, new Family("manual", m1, m2, null), new Family("check not run yet", c1, c2, null),
        new Family("check failed", c1, c2, false), new Family("check passed", c1, c2, true));
  }

  /** promote, abort, retry as bits: those that act in the phase, one at a time; elsewhere none or all three (stale). */
  static int[] requests(Phase phase) {
    return switch (phase) {
      case Progressing, AwaitingPromotion -> new int[] {0, 1, 2};
      case Aborted -> new int[] {0, 4};
      default -> new int[] {0, 7};
    };
  }

  /**
   * The invariants behind "never leaves the active Service without ready endpoints", over every
   * phase, recorded active colour, readiness of each colour (each dimension of readiness on its
   * own: ready, updated, available, replicas, observed generation, revision, absent), Service
   * selection (a colour, every pod, no Service), a plain Deployment being taken over, requests,
   * time, spec, promotion mode and check result:
   *
   * <ul>
   *   <li>whenever a plan moves the Service to a colour it was not seen selecting, that colour is
   *       the one status already records as active (it was fully ready when it became so), or every
   *       one of its pods is ready at the revision the plan runs there, or it is the very first
   *       deployment, when nothing else exists;
   *   <li>the Service and status agree on the active colour;
   *   <li>the previous colour is scaled to zero only once the Service is seen on the active one.
   * </ul>
   *
   * The oracle is {@link #everyPodReadyAt}, not the planner's own predicate, and every case is
   * counted by the branch that judged it.
   */
  @Test
  void theServiceNeverMovesToAColourThatIsNotFullyReady() {
    long plans = 0;
    long unchanged = 0;
    long backToRecorded = 0;
    long firstDeployments = 0;
    long handOvers = 0;
    long switchesChecked = 0;
    long scaleDownsChecked = 0;
    List<String> violations = new java.util.ArrayList<>();
    Color[] colors = {Color.BLUE, Color.GREEN, null};
    // null: no Service; "all": a Service selecting every pod of the app (no colour)
    String[] services = {"blue", "green", "all", null};
    for (Phase phase : Phase.values()) {
      for (Family family : families(phase)) {
        for (AppServerModel spec : List.of(family.v1(), family.v2())) {
          for (Color active : colors) {
            for (boolean rolling : active == null ? new boolean[] {false, true} : new boolean[] {false}) {
              for (Readiness blue : Readiness.values()) {
                for (Readiness green : Readiness.values()) {
                  for (String service : services) {
                    for (int requests : requests(phase)) {
                      for (long at : phase == Phase.ScalingDown ? new long[] {29, 31, 601} : new long[] {29, 601}) {
                        var s = state(phase, active, active == null ? null : (active == Color.BLUE ? R1 : R2));
                        Color other = active == null ? Color.BLUE : active.other();
                        s.setPreviewColor(phase == Phase.Progressing || phase == Phase.AwaitingPromotion ? other.label() : null);
                        s.setPreviewRevision(s.getPreviewColor() == null ? null : (other == Color.BLUE ? R1 : R2));
                        s.setRolloutStartTime(T0.toString());
                        s.setPreviousColor(phase == Phase.ScalingDown ? other.label() : null);
                        s.setPreviousRevision(phase == Phase.ScalingDown ? (other == Color.BLUE ? R1 : R2) : null);
                        s.setScaleDownAt(T0.plusSeconds(30).toString());
                        s.setAbortedRevision(phase == Phase.Aborted ? R2 : null);
                        Map<Color, DeploymentObservation> seen = new EnumMap<>(Color.class);
                        DeploymentObservation b = blue.of(Color.BLUE, family.v1());
                        DeploymentObservation g = green.of(Color.GREEN, family.v2());
                        if (b != null) seen.put(Color.BLUE, b);
                        if (g != null) seen.put(Color.GREEN, g);
                        Map<String, String> selector = null;
                        if (service != null) {
                          selector = new HashMap<>(Names.podSelector("web"));
                          if (!service.equals("all")) selector.put(Names.LABEL_COLOR, service);
                        }
                        var plain = rolling
                            ? Optional.of(new DeploymentObservation("web", R1, V1.spec(), 2, 2, 2, 2, true))
                            : Optional.<DeploymentObservation>empty();
                        var observation = new Observation(s, plain, seen, selector, (requests & 1) != 0,
                            (requests & 2) != 0, (requests & 4) != 0, answered(family.check(), T0.plusSeconds(at)),
                            T0.plusSeconds(at));
                        Plan p = BlueGreenMachine.plan(spec, observation);
                        plans++;

                        Color selected = serviceColor(p);
                        Color seenColor = observation.serviceColor();
                        Color nowActive = Color.parse(p.blueGreen().getActiveColor());
                        java.util.function.Supplier<String> where = () -> "%s %s %s active=%s blue=%s green=%s service=%s"
                            .formatted(family.name(), spec == family.v1() ? "v1" : "v2", phase, active, blue, green, service)
                            + " rolling=%s requests=%d t=%d".formatted(rolling, requests, at);
                        if (selected != nowActive) {
                          violations.add(where.get() + ": Service on " + selected + ", status says " + nowActive);
                        }

                        Color previous = Color.parse(s.getPreviousColor());
                        if (previous != null && observation.color(previous).isPresent()) {
                          int keeps = p.deployment(Names.colorDeployment("web", previous.label()))
                              .map(Plan.DeploymentTarget::replicas).orElse(0);
                          if (keeps == 0) {
                            scaleDownsChecked++;
                            if (seenColor != nowActive) {
                              violations.add(where.get() + ": previous " + previous + " scaled down, Service seen on " + seenColor);
                            }
                          }
                        }

                        if (selected == seenColor && (selected != null || service != null)) {
                          unchanged++;
                        } else if (selected != null && selected == active) {
                          backToRecorded++;
                        } else if (selected != null && active == null && !rolling) {
                          // No colour recorded and no plain Deployment: the machine starts afresh with blue.
                          firstDeployments++;
                        } else if (selected == null) {
                          // Every pod of the app while no colour is active: the plain Deployment being taken
                          // over serves, and a colour comes up beside it only with the plain Deployment's revision.
                          handOvers++;
                          if (nowActive != null) violations.add(where.get() + ": every pod selected with " + nowActive + " active");
                          for (Plan.DeploymentTarget t : p.deployments()) {
                            String image = t.model().spec().getImage();
                            if (rolling && t.color() != null && t.replicas() > 0 && !image.equals(V1.spec().getImage())) {
                              violations.add(where.get() + ": " + t.name() + " mixes " + image + " into the plain Deployment's "
                                  + V1.spec().getImage());
                            }
                          }
                        } else {
                          switchesChecked++;
                          String runs = Revisions.revision(p.deployment(Names.colorDeployment("web", selected.label()))
                              .orElseThrow().model());
                          if (!everyPodReadyAt(observation.color(selected).orElse(null), runs, 2)) {
                            violations.add(where.get() + ": Service moved to " + selected + " while it was "
                                + (selected == Color.BLUE ? blue : green));
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    System.out.printf("[walk] %d plans: Service unchanged %d, back to the recorded active colour %d, first deployments %d,"
        + " hand-overs %d, switches judged by the oracle %d; scale-downs of the previous colour judged %d%n", plans,
        unchanged, backToRecorded, firstDeployments, handOvers, switchesChecked, scaleDownsChecked);
    var byKind = violations.stream().collect(java.util.stream.Collectors.groupingBy(
        v -> v.replaceAll(" (requests|t)=\\d+", "").replaceAll("(blue|green)=[A-Z_]+ ", ""), java.util.TreeMap::new,
        java.util.stream.Collectors.counting()));
    assertThat(violations).as("%d violations: %s", violations.size(), byKind.keySet().stream().limit(40).toList()).isEmpty();
    assertThat(unchanged + backToRecorded + firstDeployments + handOvers + switchesChecked).isEqualTo(plans);
    assertThat(plans).isEqualTo(191_808);
    assertThat(List.of(unchanged, backToRecorded, firstDeployments, handOvers, switchesChecked, scaleDownsChecked))
        .as("cases judged by each rule").containsExactly(65_232L, 70_524L, 13_950L, 40_158L, 1_944L, 912L);
  }

  static Map<String, String> budgetSelector(AppServerModel m, Plan p) {
    return Children.forPlan(m, p).stream()
        .filter(r -> r instanceof io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget)
        .map(r -> ((io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget) r).getSpec().getSelector().getMatchLabels())
        .findFirst().orElseThrow(() -> new AssertionError("no PodDisruptionBudget"));
  }

  static Map<String, String> colorSelector(Color c) {
    Map<String, String> selector = new HashMap<>(Names.podSelector("web"));
    selector.put(Names.LABEL_COLOR, c.label());
    return selector;
  }

  @Test
  void disruptionBudgetProtectsTheServingColourOnlyAndMovesWithTheSwitch() {
    assertThat(budgetSelector(V1, BlueGreenMachine.plan(V1, idleOnBlue().build()))).isEqualTo(colorSelector(Color.BLUE));
    // Green coming up (none of its pods ready): the budget still counts blue alone, so green's
    // unready pods do not use it up and blue keeps its full protection.
    Plan comingUp = BlueGreenMachine.plan(V2, progressingToGreen(0).build());
    assertThat(comingUp.blueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(budgetSelector(V2, comingUp)).isEqualTo(colorSelector(Color.BLUE));
    // Switched: the budget follows the Service to green, and blue winds down outside it.
    Plan switched = BlueGreenMachine.plan(V2, progressingToGreen(2).build());
    assertThat(switched.blueGreen().getPhase()).isEqualTo("ScalingDown");
    assertThat(budgetSelector(V2, switched)).isEqualTo(colorSelector(Color.GREEN)).isEqualTo(switched.serviceSelector());
    Plan scalingDown = BlueGreenMachine.plan(V2, scalingDownFromBlue(Color.GREEN).at(T0.plusSeconds(40)).build());
    assertThat(target(scalingDown, Color.BLUE).replicas()).isZero();
    assertThat(budgetSelector(V2, scalingDown)).isEqualTo(colorSelector(Color.GREEN));
  }
}
