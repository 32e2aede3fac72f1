package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.rollout.Color;
import dev.appserver.operator.model.rollout.Plan;
import dev.appserver.operator.model.rollout.Plan.Check.Step;
import dev.appserver.operator.model.rollout.PromotionCheckResult;
import dev.appserver.operator.model.rollout.PromotionCheckResult.Outcome;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pre-promotion checks held between reconciles: per AppServer, for one revision, and nothing that no plan waits on. */
class PromotionChecksTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final ResourceID WEB = new ResourceID("web", "shop");
  static final ResourceID OTHER = new ResourceID("other", "shop");

  private final AppServerModel model = TestAppServers.model("""
      image: example/app:2
      app: app:app
      strategy: {type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready, timeoutSeconds: 1}}}
      """);

  /** Checks that answer when the test says so. */
  record Started(String service, String path, int timeoutSeconds, CompletableFuture<PromotionCheck.Answer> answer) {}

  private final List<Started> started = new CopyOnWriteArrayList<>();
  private final List<ResourceID> triggered = new CopyOnWriteArrayList<>();
  private PromotionChecks checks;

  @BeforeEach
  void start() {
    checks = new PromotionChecks((m, service, path, timeout) -> {
      var answer = new CompletableFuture<PromotionCheck.Answer>();
      started.add(new Started(service, path, timeout, answer));
      return answer;
    }, Clock.fixed(T0, ZoneOffset.UTC));
    checks.setEventHandler((Event e) -> triggered.add(e.getRelatedCustomResourceID()));
    checks.start();
  }

  @AfterEach
  void stop() {
    checks.stop();
  }

  static Plan.Check wants(String revision, Step step) {
    return new Plan.Check(Color.GREEN, revision, step, null);
  }

  /** Waits until the n-th check is started and listened to, so that completing it delivers the answer at once. */
  private Started awaitStarted(int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> started.size() >= n
        && started.get(n - 1).answer().getNumberOfDependents() > 0);
    return started.get(n - 1);
  }

  @Test
  void aStartedCheckIsPendingUntilItAnswersAndItsAnswerTriggersAReconcile() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    assertThat(checks.result(WEB, "r2")).contains(PromotionCheckResult.pending(null, T0));
    Started s = awaitStarted(1);
    assertThat(s.service()).isEqualTo("web-preview");
    assertThat(s.path()).isEqualTo("/ready");
    assertThat(s.timeoutSeconds()).isEqualTo(1);
    assertThat(triggered).isEmpty();

    s.answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(checks.result(WEB, "r2")).contains(PromotionCheckResult.passed("HTTP 200", T0));
    assertThat(triggered).containsExactly(WEB);
    assertThat(checks.result(OTHER, "r2")).as("per AppServer").isEmpty();
  }

  @Test
  void aResultIsOnlyForItsRevisionAndANewRevisionReplacesIt() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    Started old = awaitStarted(1);
    assertThat(checks.result(WEB, "r3")).as("another revision's check is not this one's").isEmpty();

    checks.follow(WEB, model, wants("r3", Step.Start));
    Started current = awaitStarted(2);
    assertThat(checks.result(WEB, "r2")).isEmpty();
    assertThat(checks.result(WEB, "r3")).map(PromotionCheckResult::outcome).contains(Outcome.Pending);

    old.answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(checks.result(WEB, "r3")).as("the old revision's answer is ignored")
        .map(PromotionCheckResult::outcome).contains(Outcome.Pending);
    assertThat(checks.result(WEB, "r2")).isEmpty();
    assertThat(triggered).isEmpty();

    current.answer().complete(new PromotionCheck.Answer(false, "HTTP 503"));
    assertThat(checks.result(WEB, "r3")).contains(PromotionCheckResult.failed("HTTP 503", T0));
    assertThat(triggered).containsExactly(WEB);
    assertThat(checks.size()).isEqualTo(1);
  }

  @Test
  void waitingOnARunningOrFailedCheckKeepsItAndStartsNothing() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    Started s = awaitStarted(1);
    checks.follow(WEB, model, wants("r2", Step.Running));
    s.answer().complete(new PromotionCheck.Answer(false, "HTTP 503"));
    checks.follow(WEB, model, new Plan.Check(Color.GREEN, "r2", Step.RetryLater, "HTTP 503"));
    assertThat(checks.result(WEB, "r2")).contains(PromotionCheckResult.failed("HTTP 503", T0));
    assertThat(started).hasSize(1);
  }

  @Test
  void aRetryIsPendingWithTheFailureBeforeIt() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    awaitStarted(1).answer().complete(new PromotionCheck.Answer(false, "HTTP 503"));
    checks.follow(WEB, model, new Plan.Check(Color.GREEN, "r2", Step.Start, "HTTP 503"));
    assertThat(checks.result(WEB, "r2")).contains(PromotionCheckResult.pending("HTTP 503", T0));
    awaitStarted(2);
  }

  @Test
  void aPlanThatWaitsOnNoCheckDropsWhatIsHeldAndItsAnswerIsIgnored() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    Started s = awaitStarted(1);
    checks.follow(WEB, model, null);
    assertThat(checks.size()).isZero();
    assertThat(checks.result(WEB, "r2")).isEmpty();
    s.answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(checks.result(WEB, "r2")).isEmpty();
    assertThat(triggered).isEmpty();
  }

  @Test
  void aDeletedAppServerLeavesNothingBehind() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    checks.follow(OTHER, model, wants("r2", Step.Start));
    awaitStarted(2);
    var web = TestAppServers.parse("""
        image: example/app:2
        app: app:app
        """);
    checks.onResourceDeleted(web);
    assertThat(checks.size()).isEqualTo(1);
    assertThat(checks.result(WEB, "r2")).isEmpty();
    assertThat(checks.result(OTHER, "r2")).isPresent();
    started.get(0).answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    started.get(1).answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(checks.result(WEB, "r2")).isEmpty();
    assertThat(triggered).containsExactly(OTHER);
  }

  @Test
  void aCheckStartedAsTheAppServerWasDeletedIsDroppedWhenItAnswers() {
    var gone = new java.util.concurrent.atomic.AtomicBoolean();
    checks.onlyFor(id -> !(id.equals(WEB) && gone.get()));
    checks.follow(WEB, model, wants("r2", Step.Start));
    Started s = awaitStarted(1);
    gone.set(true); // deleted, and the deletion seen before this check was held
    s.answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(checks.size()).isZero();
    assertThat(triggered).isEmpty();
    checks.follow(WEB, model, wants("r2", Step.Start));
    assertThat(checks.size()).as("nothing starts for an AppServer that is gone").isZero();
    assertThat(started).hasSize(1);
  }

  @Test
  void aCheckThatNeverAnswersFailsAfterItsTimeout() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    awaitStarted(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !triggered.isEmpty());
    assertThat(checks.result(WEB, "r2")).contains(PromotionCheckResult.failed("no answer within 1s", T0));
  }

  @Test
  void aCheckThatThrowsIsAFailure() {
    var throwing = new PromotionChecks((m, service, path, timeout) -> {
      throw new IllegalStateException("no route");
    }, Clock.fixed(T0, ZoneOffset.UTC));
    throwing.setEventHandler(e -> triggered.add(e.getRelatedCustomResourceID()));
    throwing.start();
    try {
      throwing.follow(WEB, model, wants("r2", Step.Start));
      await().atMost(Duration.ofSeconds(5)).until(() -> !triggered.isEmpty());
      assertThat(throwing.result(WEB, "r2")).map(PromotionCheckResult::outcome).contains(Outcome.Failed);
      assertThat(throwing.result(WEB, "r2").orElseThrow().reason()).contains("no route");
    } finally {
      throwing.stop();
    }
  }

  /** A check whose start blocks (a credential plugin run before the request, say) holds its own thread, not the caller's. */
  @Test
  void aCheckThatBlocksBeforeItSendsDoesNotHoldTheReconcile() throws Exception {
    var unblock = new CountDownLatch(1);
    var blocking = new PromotionChecks(new PromotionCheck() {
      @Override
      public CompletionStage<Answer> start(AppServerModel m, String service, String path, int timeout) {
        try {
          unblock.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return CompletableFuture.completedFuture(new Answer(true, "HTTP 200"));
      }
    }, Clock.fixed(T0, ZoneOffset.UTC));
    blocking.setEventHandler(e -> triggered.add(e.getRelatedCustomResourceID()));
    blocking.start();
    try {
      long before = System.nanoTime();
      blocking.follow(WEB, model, wants("r2", Step.Start));
      blocking.follow(OTHER, model, wants("r2", Step.Start));
      assertThat((System.nanoTime() - before) / 1e9).isLessThan(1.0);
      assertThat(blocking.result(WEB, "r2")).map(PromotionCheckResult::outcome).contains(Outcome.Pending);
      unblock.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> triggered.size() == 2);
      assertThat(blocking.result(WEB, "r2")).contains(PromotionCheckResult.passed("HTTP 200", T0));
    } finally {
      unblock.countDown();
      blocking.stop();
    }
  }

  @Test
  void stoppingEndsTheExecutorAndNothingStartsAfterwards() {
    checks.follow(WEB, model, wants("r2", Step.Start));
    Started s = awaitStarted(1);
    checks.stop();
    assertThat(checks.isTerminated()).isTrue();
    assertThat(checks.size()).isZero();
    checks.follow(WEB, model, wants("r2", Step.Start));
    assertThat(checks.size()).isZero();
    s.answer().complete(new PromotionCheck.Answer(true, "HTTP 200"));
    assertThat(triggered).isEmpty();
    assertThat(started).hasSize(1);
  }
}
