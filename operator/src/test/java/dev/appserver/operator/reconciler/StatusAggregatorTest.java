package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.rollout.Plan;
import dev.appserver.operator.api.v1alpha1.WorkerClass;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.reconciler.StatusAggregator.Problem;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  private final AppServerModel model = TestAppServers.minimal();

  private AppServer cr() {
    var cr = TestAppServers.parse("""
        image: example/app:1
        app: app:app
        """);
    cr.getMetadata().setGeneration(3L);
    return cr;
  }

  private Deployment deployment(long generation, long observed, int replicas, int ready, int updated) {
    var d = ChildResources.deployment(model, "web", Map.of(), 2);
    d.getMetadata().setGeneration(generation);
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(observed).withReplicas(replicas)
        .withReadyReplicas(ready).withAvailableReplicas(ready).withUpdatedReplicas(updated).build());
    return d;
  }

  /** Any combination of inputs, as the factories of StatusInputs would build them and others. */
  private static AppServerStatus aggregate(AppServer cr, AppServerModel model, Deployment deployment, Problem problem,
      Instant now, BlueGreenStatus blueGreen, Map<String, String> selector, Plan.Check check) {
    return StatusAggregator.aggregate(new StatusInputs(cr, Optional.ofNullable(model), Optional.ofNullable(deployment),
        Optional.ofNullable(problem), Optional.ofNullable(blueGreen), Optional.ofNullable(selector),
        Optional.ofNullable(check), now));
  }

  private static AppServerStatus aggregate(AppServer cr, AppServerModel model, Deployment deployment, Problem problem,
      Instant now, BlueGreenStatus blueGreen, Map<String, String> selector) {
    return aggregate(cr, model, deployment, problem, now, blueGreen, selector, null);
  }

  private static AppServerStatus aggregate(AppServer cr, AppServerModel model, Deployment deployment, Problem problem,
      Instant now) {
    return aggregate(cr, model, deployment, problem, now, null, null, null);
  }

  @Test
  void completeRolloutIsReady() {
    var s = aggregate(cr(), model, deployment(1, 1, 2, 2, 2), null, T0);
    assertThat(s.getPhase()).isEqualTo("Ready");
    assertThat(s.getReady()).isEqualTo("2/2");
    assertThat(s.getObservedGeneration()).isEqualTo(3L);
    assertThat(s.getWorkers()).isEqualTo(3);
    assertThat(s.getSizing()).isEqualTo("no cpu limit or request, assuming 1 core: floor(2 x 1) + 1 = 3; 3 sync processes = 3 in flight");
    assertThat(s.getWorkerClass()).isEqualTo(WorkerClass.SYNC);
    assertThat(s.getInFlightPerPod()).isEqualTo(3);
    assertThat(s.getInFlight()).isEqualTo(6);
    assertThat(s.getSelector()).isEqualTo("app.kubernetes.io/name=appserver,app.kubernetes.io/instance=web");
    assertThat(Conditions.isTrue(s.getConditions(), "Ready")).isTrue();
    assertThat(Conditions.isTrue(s.getConditions(), "Progressing")).isFalse();
    assertThat(Conditions.isTrue(s.getConditions(), "Degraded")).isFalse();
    assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
    assertThat(s.getMessage()).isEqualTo("2/2 pods ready, 3 workers per pod, 3 in flight per pod, 6 across 2 replicas");
  }

  @Test
  void ioSizingShowsRequestsInFlightPerPodAndInTotal() {
    var io = TestAppServers.model("""
        image: example/app:1
        app: app:app
        replicas: 3
        resources: {limits: {cpu: "2"}}
        workers: {profile: io, concurrency: 100}
        """);
    var s = aggregate(cr(), io, deployment(1, 1, 3, 3, 3), null, T0);
    assertThat(s.getWorkers()).isEqualTo(5);
    assertThat(s.getThreads()).isEqualTo(20);
    assertThat(s.getWorkerClass()).isEqualTo(WorkerClass.GTHREAD);
    assertThat(s.getInFlightPerPod()).isEqualTo(100);
    assertThat(s.getInFlight()).isEqualTo(300);
    assertThat(s.getSizing()).isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gthread processes x 20 threads (concurrency 100) = 100 in flight");
    assertThat(s.getMessage()).isEqualTo("3/3 pods ready, 5 workers x 20 threads per pod, 100 in flight per pod, 300 across 3 replicas");
  }

  @Test
  void autoscaledTotalsShowTheRangeOfTheReplicaBounds() {
    var io = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {requests: {cpu: "1"}}
        workers: {profile: io}
        autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 10}
        """);
    assertThat(io.inFlightTotal()).isEqualTo(384);
    assertThat(io.inFlightSummary()).isEqualTo("192 in flight per pod, 384 across 2 replicas (autoscaling 2-10: 384-1920)");
  }

  @Test
  void uvicornHasNoInFlightCount() {
    var uv = TestAppServers.model("""
        image: example/app:1
        app: asgi:app
        workers: {profile: io, workerClass: uvicorn}
        """);
    var s = aggregate(cr(), uv, deployment(1, 1, 2, 2, 2), null, T0);
    assertThat(s.getInFlightPerPod()).isNull();
    assertThat(s.getInFlight()).isNull();
    assertThat(s.getMessage()).isEqualTo("2/2 pods ready, 3 workers per pod, requests in flight not capped by Gunicorn");
  }

  @Test
  void unobservedGenerationIsStillProgressing() {
    var s = aggregate(cr(), model, deployment(2, 1, 2, 2, 2), null, T0);
    assertThat(s.getPhase()).isEqualTo("Progressing");
    assertThat(Conditions.find(s.getConditions(), "Progressing").orElseThrow().getReason()).isEqualTo("RollingOut");
    assertThat(Conditions.isTrue(s.getConditions(), "Ready")).isTrue();
  }

  @Test
  void missingDeploymentIsProgressingNotReady() {
    var s = aggregate(cr(), model, null, null, T0);
    assertThat(s.getPhase()).isEqualTo("Progressing");
    assertThat(s.getReady()).isEqualTo("0/2");
    assertThat(Conditions.find(s.getConditions(), "Ready").orElseThrow().getReason()).isEqualTo("DeploymentMissing");
  }

  @Test
  void unchangedWorldGivesAnEqualStatusSoNothingIsWritten() {
    var cr = cr();
    var first = aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T0);
    cr.setStatus(first);
    var second = aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T1);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void transitionTimeMovesOnlyWhenTheConditionFlips() {
    var cr = cr();
    cr.setStatus(aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T0));
    var s = aggregate(cr, model, deployment(2, 2, 3, 1, 1), null, T1);
    assertThat(Conditions.find(s.getConditions(), "Ready").orElseThrow().getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(Conditions.find(s.getConditions(), "Degraded").orElseThrow().getLastTransitionTime()).isEqualTo(T0.toString());
  }

  @Test
  void invalidSpecIsDegradedAndKeepsTheLastSizing() {
    var cr = cr();
    cr.setStatus(aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T0));
    var s = aggregate(cr, null, deployment(1, 1, 2, 2, 2),
        new Problem(Problem.Kind.InvalidSpec, "spec.strategy.type: BlueGreen is not supported"), T1);
    assertThat(s.getPhase()).isEqualTo("Degraded");
    assertThat(s.getMessage()).isEqualTo("spec.strategy.type: BlueGreen is not supported");
    assertThat(s.getWorkers()).isEqualTo(3);
    assertThat(s.getInFlightPerPod()).isEqualTo(3);
    assertThat(s.getInFlight()).isEqualTo(6);
    assertThat(s.getWorkerClass()).isEqualTo(WorkerClass.SYNC);
    var degraded = Conditions.find(s.getConditions(), "Degraded").orElseThrow();
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
    assertThat(Conditions.isTrue(s.getConditions(), "Ready")).as("old pods still serve").isTrue();
  }

  @Test
  void anInvalidEditMidRolloutKeepsTheBlueGreenState() {
    var bg = new dev.appserver.operator.api.v1alpha1.BlueGreenStatus();
    bg.setPhase("Progressing");
    bg.setActiveColor("blue");
    bg.setPreviewColor("green");
    var cr = cr();
    var s = aggregate(cr, null, deployment(1, 1, 2, 2, 2),
        new Problem(Problem.Kind.InvalidSpec, "spec.port: Invalid value"), T0, bg, null);
    assertThat(s.getBlueGreen()).isEqualTo(bg);
    assertThat(s.getPhase()).isEqualTo("Degraded");
  }

  @Test
  void progressDeadlineExceededIsDegraded() {
    var d = deployment(2, 2, 3, 2, 1);
    d.getStatus().setConditions(java.util.List.of(new DeploymentConditionBuilder().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet web-abc has timed out progressing.").build()));
    var s = aggregate(cr(), model, d, null, T0);
    assertThat(s.getPhase()).isEqualTo("Degraded");
    assertThat(Conditions.find(s.getConditions(), "Degraded").orElseThrow().getReason()).isEqualTo("ProgressDeadlineExceeded");
  }

  @Test
  void progressDeadlineExceededWithoutAMessageSaysWhatHappenedNotNull() {
    var d = deployment(2, 2, 3, 2, 1);
    d.getStatus().setConditions(java.util.List.of(new DeploymentConditionBuilder().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded").build()));
    var s = aggregate(cr(), model, d, null, T0);
    assertThat(s.getMessage()).isEqualTo("the Deployment did not progress within spec.strategy.progressDeadlineSeconds");
    assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getMessage()).doesNotContain("null"));
  }

  @Test
  void scaledToZeroIsReady() {
    var zero = TestAppServers.model("""
        image: example/app:1
        app: app:app
        replicas: 0
        """);
    var d = deployment(1, 1, 0, 0, 0);
    var s = aggregate(cr(), zero, d, null, T0);
    assertThat(s.getPhase()).isEqualTo("Ready");
    assertThat(s.getReady()).isEqualTo("0/0");
  }

  private static dev.appserver.operator.api.v1alpha1.BlueGreenStatus blueGreen(String phase) {
    var bg = new dev.appserver.operator.api.v1alpha1.BlueGreenStatus();
    bg.setPhase(phase);
    bg.setActiveColor("blue");
    bg.setActiveRevision("r1");
    bg.setPreviewColor("green");
    bg.setPreviewRevision("r2");
    if ("Aborted".equals(phase)) {
      bg.setAbortedRevision("r2");
      bg.setAbortReason("green was not ready within 60s");
    }
    return bg;
  }

  private static String kstatus(io.fabric8.kubernetes.api.model.Condition c) {
    return c.getStatus() + "/" + c.getReason();
  }

  private static String reconciling(dev.appserver.operator.api.v1alpha1.AppServerStatus s) {
    return kstatus(Conditions.find(s.getConditions(), Conditions.RECONCILING).orElseThrow());
  }

  private static String stalled(dev.appserver.operator.api.v1alpha1.AppServerStatus s) {
    return kstatus(Conditions.find(s.getConditions(), Conditions.STALLED).orElseThrow());
  }

  @Test
  void steadyStateIsNeitherReconcilingNorStalled() {
    var s = aggregate(cr(), model, deployment(1, 1, 2, 2, 2), null, T0);
    assertThat(reconciling(s)).isEqualTo("False/RolloutComplete");
    assertThat(stalled(s)).isEqualTo("False/AsExpected");
    assertThat(s.getConditions()).extracting(c -> c.getType())
        .containsExactly("Ready", "Progressing", "Degraded", "Reconciling", "Stalled");
    assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  @Test
  void rollingUpdateInProgressIsReconcilingWhileTheOldPodsStillMakeItReady() {
    var s = aggregate(cr(), model, deployment(2, 2, 3, 2, 1), null, T0);
    assertThat(Conditions.isTrue(s.getConditions(), "Ready")).isTrue();
    assertThat(reconciling(s)).isEqualTo("True/RollingOut");
    assertThat(stalled(s)).isEqualTo("False/AsExpected");
  }

  @Test
  void unobservedDeploymentGenerationAndMissingDeploymentAreReconciling() {
    assertThat(reconciling(aggregate(cr(), model, deployment(2, 1, 2, 2, 2), null, T0)))
        .isEqualTo("True/RollingOut");
    assertThat(reconciling(aggregate(cr(), model, null, null, T0))).isEqualTo("True/Creating");
  }

  @Test
  void blueGreenIsReconcilingUntilTheNewColourServes() {
    var serving = deployment(1, 1, 2, 2, 2);
    assertThat(reconciling(aggregate(cr(), model, serving, null, T0, blueGreen("Progressing"), null)))
        .isEqualTo("True/Progressing");
    assertThat(reconciling(aggregate(cr(), model, serving, null, T0, blueGreen("AwaitingPromotion"), null)))
        .isEqualTo("True/AwaitingPromotion");
    var scalingDown = aggregate(cr(), model, serving, null, T0, blueGreen("ScalingDown"), null);
    assertThat(reconciling(scalingDown)).as("the new colour serves; the old one only winds down").isEqualTo("False/RolloutComplete");
    assertThat(stalled(scalingDown)).isEqualTo("False/AsExpected");
    assertThat(reconciling(aggregate(cr(), model, serving, null, T0, blueGreen("Idle"), null)))
        .isEqualTo("False/RolloutComplete");
  }

  @Test
  void aPrePromotionCheckNotAnsweredYetIsStillInProgress() {
    var serving = deployment(1, 1, 2, 2, 2);
    var check = new dev.appserver.operator.model.rollout.Plan.Check(dev.appserver.operator.model.rollout.Color.GREEN, "r2",
        dev.appserver.operator.model.rollout.Plan.Check.Step.Running, null);
    for (String phase : new String[] {"Progressing", "AwaitingPromotion"}) {
      var s = aggregate(cr(), model, serving, null, T0, blueGreen(phase), null, check);
      assertThat(reconciling(s)).as(phase).isEqualTo("True/PrePromotionCheckRunning");
      assertThat(stalled(s)).isEqualTo("False/AsExpected");
      var progressing = Conditions.find(s.getConditions(), "Progressing").orElseThrow();
      assertThat(kstatus(progressing)).isEqualTo("True/PrePromotionCheckRunning");
      assertThat(progressing.getMessage())
          .isEqualTo("green is ready with revision r2; the pre-promotion check through web-preview is running; blue serves");
      assertThat(s.getPhase()).isEqualTo("Progressing");
      assertThat(s.getMessage()).isEqualTo(progressing.getMessage());
      assertThat(Conditions.isTrue(s.getConditions(), "Ready")).as("blue still serves").isTrue();
    }
  }

  @Test
  void aFailedPrePromotionCheckSaysWhyAndStaysInProgressWhileItIsRetried() {
    var serving = deployment(1, 1, 2, 2, 2);
    for (var step : new dev.appserver.operator.model.rollout.Plan.Check.Step[] {
        dev.appserver.operator.model.rollout.Plan.Check.Step.RetryLater, dev.appserver.operator.model.rollout.Plan.Check.Step.Running}) {
      var check = new dev.appserver.operator.model.rollout.Plan.Check(dev.appserver.operator.model.rollout.Color.GREEN, "r2",
          step, "HTTP 503");
      var s = aggregate(cr(), model, serving, null, T0, blueGreen("Progressing"), null, check);
      assertThat(reconciling(s)).as(step.name()).isEqualTo("True/PrePromotionCheckFailed");
      assertThat(stalled(s)).isEqualTo("False/AsExpected");
      assertThat(s.getMessage()).as("the same while the retry runs, so it is not written twice per retry").isEqualTo(
          "green is ready with revision r2; the pre-promotion check through web-preview did not answer 2xx (HTTP 503),"
              + " trying again every 5s; blue serves");
    }
  }

  @Test
  void aCheckDoesNotHideAnAbandonedRollout() {
    var check = new dev.appserver.operator.model.rollout.Plan.Check(dev.appserver.operator.model.rollout.Color.GREEN, "r2",
        dev.appserver.operator.model.rollout.Plan.Check.Step.Running, null);
    var s = aggregate(cr(), model, deployment(1, 1, 2, 2, 2), null, T0, blueGreen("Aborted"), null, check);
    assertThat(stalled(s)).isEqualTo("True/RolloutAborted");
    assertThat(Conditions.find(s.getConditions(), "Progressing").orElseThrow().getReason()).isEqualTo("Aborted");
  }

  @Test
  void abandonedBlueGreenRevisionIsStalledThoughTheOldColourKeepsItReady() {
    var s = aggregate(cr(), model, deployment(1, 1, 2, 2, 2), null, T0, blueGreen("Aborted"), null);
    assertThat(Conditions.isTrue(s.getConditions(), "Ready")).isTrue();
    assertThat(stalled(s)).isEqualTo("True/RolloutAborted");
    assertThat(reconciling(s)).isEqualTo("False/RolloutAborted");
    assertThat(Conditions.find(s.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .isEqualTo("green was not ready within 60s; blue keeps serving (change the spec or annotate appserver.dev/retry=true to try again)");
  }

  @Test
  void unworkableSpecAndRefusedApplyAreStalled() {
    var invalid = aggregate(cr(), null, deployment(1, 1, 2, 2, 2),
        new Problem(Problem.Kind.InvalidSpec, "spec.port: Invalid value"), T0, blueGreen("Progressing"), null);
    assertThat(stalled(invalid)).isEqualTo("True/InvalidSpec");
    assertThat(reconciling(invalid)).isEqualTo("False/InvalidSpec");
    var refused = aggregate(cr(), model, deployment(1, 1, 2, 2, 2),
        new Problem(Problem.Kind.ApplyFailed, "applying the child resources failed: forbidden"), T0);
    assertThat(stalled(refused)).isEqualTo("True/ApplyFailed");
    assertThat(reconciling(refused)).isEqualTo("False/ApplyFailed");
  }

  @Test
  void deploymentPastItsProgressDeadlineIsStalledNotReconciling() {
    var d = deployment(2, 2, 3, 2, 1);
    d.getStatus().setConditions(java.util.List.of(new DeploymentConditionBuilder().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet web-abc has timed out progressing.").build()));
    var s = aggregate(cr(), model, d, null, T0);
    assertThat(stalled(s)).isEqualTo("True/ProgressDeadlineExceeded");
    assertThat(reconciling(s)).isEqualTo("False/ProgressDeadlineExceeded");
    // Even while a blue-green rollout is under way, a stalled serving Deployment is not "reconciling".
    var bg = aggregate(cr(), model, d, null, T0, blueGreen("Progressing"), null);
    assertThat(stalled(bg)).isEqualTo("True/ProgressDeadlineExceeded");
    assertThat(reconciling(bg)).isEqualTo("False/ProgressDeadlineExceeded");
  }

  @Test
  void aDeadlineReportedBeforeTheDeploymentSawTheNewSpecIsNotStalled() {
    // The fix for a stalled rollout has been applied (generation 3); the controller has not looked
    // at it yet, so the status still carries the old deadline.
    var d = deployment(3, 2, 3, 1, 1);
    d.getStatus().setConditions(java.util.List.of(new DeploymentConditionBuilder().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet web-abc has timed out progressing.").build()));
    var s = aggregate(cr(), model, d, null, T0);
    assertThat(stalled(s)).isEqualTo("False/AsExpected");
    assertThat(reconciling(s)).isEqualTo("True/RollingOut");
    assertThat(s.getPhase()).isEqualTo("Progressing");
  }

  @Test
  void recoveryClearsStalledAndKeepsTransitionTimesOfWhatDidNotFlip() {
    var cr = cr();
    cr.setStatus(aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T0, blueGreen("Aborted"), null));
    var s = aggregate(cr, model, deployment(1, 1, 2, 2, 2), null, T1, blueGreen("Idle"), null);
    assertThat(stalled(s)).isEqualTo("False/AsExpected");
    assertThat(Conditions.find(s.getConditions(), Conditions.STALLED).orElseThrow().getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(Conditions.find(s.getConditions(), Conditions.RECONCILING).orElseThrow().getLastTransitionTime()).isEqualTo(T0.toString());
  }
}
