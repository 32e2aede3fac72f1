package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.PrePromotionCheckSpec;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Plan;
import dev.appserver.operator.model.rollout.PromotionCheckResult;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-promotion checks of the AppServers, run off the reconcile threads and kept between
 * reconciles: at most one per AppServer, for the revision it is bringing up.
 *
 * <p>A reconcile never waits for a check. It observes what is held ({@link #result}), plans once,
 * and hands the plan's wish to {@link #follow}, which starts a check when the plan asks for one.
 * The request is asynchronous; a small executor of its own only starts it, so a check that does
 * blocking work before it sends (a credential plugin, say) holds none of the reconcile threads.
 * When a check answers, this event source triggers a reconcile of its AppServer.
 *
 * <p>Nothing is held that no plan waits on: a plan that waits on no check, a check started for
 * another revision, and the AppServer's deletion each drop what is held, and an answer for a check
 * no longer held is ignored. A check started by a reconcile that overlapped the deletion is dropped
 * when it answers. A restarted operator holds nothing, and so checks again.
 */
public final class PromotionChecks extends SimpleInboundEventSource<AppServer> implements ResourceEventAware<AppServer> {
  public static final String NAME = "promotion-checks";
  /** Threads that start checks; a start is quick, the answer comes back on the HTTP client's threads. */
  static final int THREADS = 2;
  /** How long after its own timeout a check that has not answered counts as failed. */
  static final int GRACE_SECONDS = 1;
  private static final Logger log = LoggerFactory.getLogger(PromotionChecks.class);

  private final PromotionCheck check;
  private final Clock clock;
  private final ThreadPoolExecutor starter;
  private final ConcurrentHashMap<ResourceID, Held> held = new ConcurrentHashMap<>();
  private volatile Predicate<ResourceID> exists = id -> true;
  private volatile boolean closed;

  /** One check of one revision; {@code result} is Pending until it answers. */
  private static final class Held {
    final String revision;
    volatile PromotionCheckResult result;

    Held(String revision, PromotionCheckResult result) {
      this.revision = revision;
      this.result = result;
    }
  }

  public PromotionChecks(PromotionCheck check, Clock clock) {
    super(NAME);
    this.check = check;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.starter = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "promotion-check-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    starter.allowCoreThreadTimeOut(true);
  }

  /** Which AppServers still exist (the controller's cache); a check of one that does not is dropped when it answers. */
  public void onlyFor(Predicate<ResourceID> exists) {
    this.exists = exists;
  }

  /** The check held for this AppServer at {@code revision}; empty when none is, or only one for another revision. */
  public Optional<PromotionCheckResult> result(ResourceID id, String revision) {
    Held h = held.get(id);
    return h != null && h.revision.equals(revision) ? Optional.of(h.result) : Optional.empty();
  }

  /**
   * Makes what is held match what the plan waits on: starts the check it asks to start (replacing
   * any other), keeps the one it waits for, and drops what is held when it waits on none.
   */
  public void follow(ResourceID id, AppServerModel model, Plan.Check wanted) {
    if (wanted == null) {
      held.remove(id);
    } else if (wanted.step() == Plan.Check.Step.Start) {
      start(id, model, wanted);
    }
  }

  private void start(ResourceID id, AppServerModel model, Plan.Check wanted) {
    if (closed || !exists.test(id)) return;
    PrePromotionCheckSpec spec = model.spec().getStrategy().getBlueGreen().getPrePromotionCheck();
    Held attempt = new Held(wanted.revision(), PromotionCheckResult.pending(wanted.lastFailure(), Instant.now(clock)));
    held.put(id, attempt);
    String service = Names.previewService(model.name());
    int timeout = spec.getTimeoutSeconds();
    try {
      starter.execute(() -> {
        CompletionStage<PromotionCheck.Answer> answer;
        try {
          answer = check.start(model, service, spec.getPath(), timeout);
        } catch (RuntimeException e) {
          answer = CompletableFuture.completedFuture(new PromotionCheck.Answer(false, e.toString()));
        }
        var bounded = new CompletableFuture<PromotionCheck.Answer>();
        answer.whenComplete((a, e) -> bounded.complete(a != null ? a
            : new PromotionCheck.Answer(false, e == null ? "no answer" : e.toString())));
        bounded.completeOnTimeout(new PromotionCheck.Answer(false, "no answer within " + timeout + "s"),
                timeout + GRACE_SECONDS, TimeUnit.SECONDS)
            .thenAccept(a -> answered(id, attempt, a));
      });
    } catch (RejectedExecutionException e) {
      held.remove(id, attempt); // stopping
    }
  }

  private void answered(ResourceID id, Held attempt, PromotionCheck.Answer answer) {
    if (closed) return;
    if (!exists.test(id)) {
      held.remove(id, attempt);
      return;
    }
    Instant now = Instant.now(clock);
    var result = answer.passed() ? PromotionCheckResult.passed(answer.detail(), now)
        : PromotionCheckResult.failed(answer.detail(), now);
    boolean current = held.computeIfPresent(id, (k, h) -> {
      if (h == attempt) h.result = result;
      return h;
    }) == attempt;
    if (current) {
      propagateEvent(id);
    } else {
      log.debug("Pre-promotion check of {} revision {} answered after it was dropped", id, attempt.revision);
    }
  }

  /** Drops what is held for the AppServer; an answer still to come is ignored. */
  public void forget(ResourceID id) {
    held.remove(id);
  }

  /** How many AppServers have a check held. */
  public int size() {
    return held.size();
  }

  /** True once stopped and the starting threads have ended. */
  boolean isTerminated() {
    return starter.isTerminated();
  }

  @Override
  public void onResourceDeleted(AppServer resource) {
    forget(ResourceID.fromResource(resource));
  }

  /** Part of the operator's stop: no check starts after this, answers still to come are ignored. */
  @Override
  public void stop() {
    closed = true;
    super.stop();
    starter.shutdownNow();
    try {
      if (!starter.awaitTermination(5, TimeUnit.SECONDS)) log.warn("Pre-promotion check starters did not stop within 5s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    held.clear();
  }
}
