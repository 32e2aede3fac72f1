package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pre-promotion check that takes a long time holds no reconcile thread: with a reconcile pool of
 * one thread (RECONCILE_THREADS=1), another AppServer is reconciled to its children while the
 * check has not answered, and the answer, when it comes, triggers the promotion at once.
 */
@EnableKubernetesMockClient(crud = true)
class SlowPromotionCheckIT {
  /** How long the slow check takes at most; the test releases it earlier, once it has seen what it needs. */
  static final int CHECK_SECONDS = 60;

  static KubernetesClient client;

  private Operator operator;
  private String ns;
  private final CompletableFuture<Boolean> release = new CompletableFuture<>();
  private final List<String> checked = new CopyOnWriteArrayList<>();

  /** Answers 2xx, but only when released (or after {@link #CHECK_SECONDS}): a slow service behind the preview. */
  private final PromotionCheck slow = new PromotionCheck() {
    @Override
    public CompletionStage<Answer> start(AppServerModel model, String previewService, String path, int timeoutSeconds) {
      checked.add(model.name());
      return release.completeOnTimeout(true, CHECK_SECONDS, TimeUnit.SECONDS)
          .thenApply(ok -> new Answer(ok, "HTTP 200"));
    }
  };

  @BeforeEach
  void startOperator() {
    ns = "it-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    var reconciler = new AppServerReconciler(new AppServerValidator(Admission.fromClasspath()), new RecordingEvents(), slow,
        Clock.systemUTC());
    operator = MockServer.operator(client, o -> o.withConcurrentReconciliationThreads(1).withConcurrentWorkflowExecutorThreads(1));
    operator.register(reconciler, c -> c.settingNamespace(ns));
    operator.start();
  }

  @AfterEach
  void stopOperator() {
    release.complete(true);
    operator.stop();
    client.resources(AppServer.class).inNamespace(ns).delete();
    client.apps().deployments().inNamespace(ns).delete();
    client.configMaps().inNamespace(ns).delete();
    client.services().inNamespace(ns).delete();
  }

  private AppServer create(String name, String spec) {
    AppServer appServer = TestAppServers.parse(spec);
    appServer.getMetadata().setNamespace(ns);
    appServer.getMetadata().setName(name);
    return client.resource(appServer).create();
  }

  private AppServer appServer(String name) {
    return client.resources(AppServer.class).inNamespace(ns).withName(name).get();
  }

  private boolean exists(String deployment) {
    return client.apps().deployments().inNamespace(ns).withName(deployment).get() != null;
  }

  private void markRolledOut(String name) {
    MockServer.markRolledOut(client, ns, name);
  }

  private String serviceColor(String name) {
    return client.services().inNamespace(ns).withName(name).get().getSpec().getSelector().get("appserver.dev/color");
  }

  @Test
  void aSlowCheckDoesNotDelayAnotherAppServersReconcile() {
    create("a", """
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready, timeoutSeconds: 60}}}
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> exists("a-blue"));
    markRolledOut("a-blue");
    await().atMost(Duration.ofSeconds(30)).until(() -> appServer("a").getStatus() != null
        && "Ready".equals(appServer("a").getStatus().getPhase()));
    client.resources(AppServer.class).inNamespace(ns).withName("a").edit(cr -> {
      cr.getSpec().setImage("example/app:2");
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> exists("a-green"));
    markRolledOut("a-green");
    await().atMost(Duration.ofSeconds(30)).until(() -> checked.contains("a"));

    long created = System.nanoTime();
    create("b", """
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(10)).until(() -> exists("b") && appServer("b").getStatus() != null);
    double seconds = (System.nanoTime() - created) / 1e9;
    System.out.printf("[slow-check] b reconciled to its children in %.2fs, one reconcile thread, a's check unanswered%n", seconds);
    assertThat(release).as("a's check has not answered yet").isNotDone();
    assertThat(seconds).as("b reconciled to its children, with one reconcile thread, while a's check runs")
        .isLessThan(CHECK_SECONDS / 6.0);
    assertThat(client.services().inNamespace(ns).withName("b").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(ns).withName("b-gunicorn").get()).isNotNull();

    assertThat(serviceColor("a")).as("a waits for its check").isEqualTo("blue");
    assertThat(appServer("a").getStatus().getBlueGreen().getPhase()).isEqualTo("Progressing");
    assertThat(Conditions.find(appServer("a").getStatus().getConditions(), "Reconciling").orElseThrow().getReason())
        .isEqualTo("PrePromotionCheckRunning");

    // Nothing else changes for a: its promotion comes from the answer, not from a timer.
    release.complete(true);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(serviceColor("a")).isEqualTo("green");
      assertThat(appServer("a").getStatus().getBlueGreen().getActiveColor()).isEqualTo("green");
    });
    assertThat(checked).containsExactly("a");
  }
}
