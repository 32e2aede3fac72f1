package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AppServer;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A reconcile cut short by the operator's own stop (JOSDK shuts the workflow executor under it)
 * writes no ApplyFailed status and records no Event: the next leader reconciles it, and the status
 * written now would only be written back (docs/benchmarks.md, the restart's writes).
 */
class StoppingTest {
  @Test
  void failuresAfterStoppingAreNotReported() {
    var events = new RecordingEvents();
    var reconciler = new AppServerReconciler(TestAppServers.validator(), events,
        (m, s, p, t) -> CompletableFuture.completedFuture(new PromotionCheck.Answer(true, "HTTP 200")), Clock.systemUTC());
    AppServer appServer = TestAppServers.parse("image: example/app:1\napp: app:app\n");
    appServer.getMetadata().setName("web");
    appServer.getMetadata().setNamespace("default");

    reconciler.stopping();
    // No context is needed to decide: a reconcile failing during the stop touches nothing.
    var control = reconciler.updateErrorStatus(appServer, null,
        new RejectedExecutionException("Task rejected from ThreadPoolExecutor[Shutting down]"));

    assertThat(control.getResource()).isEmpty();
    assertThat(control.isNoRetry()).isTrue();
    assertThat(control.isDefaultErrorProcessing()).isFalse();
    assertThat(events.events).isEmpty();
  }
}
