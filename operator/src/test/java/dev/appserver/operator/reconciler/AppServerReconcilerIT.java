package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against fabric8's mock API server in CRUD mode, with a fake event recorder. */
@EnableKubernetesMockClient(crud = true)
class AppServerReconcilerIT {
  static KubernetesClient client;

  private Operator operator;
  private AppServerReconciler reconciler;
  private RecordingEvents events;
  private final FakePromotionCheck check = new FakePromotionCheck();
  /** A namespace of this test's own, so nothing an earlier test left behind on the shared server is seen. */
  private String ns;

  /** Answers as told (at once, or when {@code hold} completes), and records what it was asked. */
  static final class FakePromotionCheck implements PromotionCheck {
    record Call(String namespace, String service, String path, int timeoutSeconds) {}

    final java.util.List<Call> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean answer = true;
    /** When set, the answer waits for it: a slow service behind the preview. */
    volatile java.util.concurrent.CompletableFuture<Boolean> hold;

    @Override
    public java.util.concurrent.CompletionStage<Answer> start(dev.appserver.operator.model.AppServerModel model,
        String previewService, String path, int timeoutSeconds) {
      calls.add(new Call(model.namespace(), previewService, path, timeoutSeconds));
      var slow = hold;
      var passed = slow != null ? slow : java.util.concurrent.CompletableFuture.completedFuture(answer);
      return passed.thenApply(ok -> new Answer(ok, ok ? "HTTP 200" : "HTTP 503"));
    }
  }

  @BeforeEach
  void startOperator() {
    ns = "it-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    events = new RecordingEvents();
    reconciler = new AppServerReconciler(
        new AppServerValidator(Admission.fromClasspath()), events, check, Clock.systemUTC());
    operator = MockServer.operator(client);
    operator.register(reconciler, c -> c.settingNamespace(ns));
    operator.start();
  }

  @AfterEach
  void stopOperator() {
    operator.stop();
    client.resources(AppServer.class).inNamespace(ns).delete();
    client.apps().deployments().inNamespace(ns).delete();
    client.configMaps().inNamespace(ns).delete();
    client.services().inNamespace(ns).delete();
    client.resources(PodDisruptionBudget.class).inNamespace(ns).delete();
  }

  private AppServer create(String spec) {
    AppServer appServer = TestAppServers.parse(spec);
    appServer.getMetadata().setNamespace(ns);
    return client.resource(appServer).create();
  }

  /** Edits the AppServer, retrying when the operator's status write got in first (409). */
  private void edit(java.util.function.UnaryOperator<AppServer> change) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .until(() -> client.resources(AppServer.class).inNamespace(ns).withName("web").edit(change) != null);
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace(ns).withName("web").get();
  }

  private AppServer appServer() {
    return client.resources(AppServer.class).inNamespace(ns).withName("web").get();
  }

  /** What the Deployment controller would report once every pod of the template is ready. */
  private void markDeploymentRolledOut() {
    markRolledOut("web");
  }

  private void markRolledOut(String name) {
    MockServer.markRolledOut(client, ns, name);
  }

  @Test
  void createMakesEveryChildOwnedByTheAppServer() {
    var created = create("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1", memory: 512Mi}}
        """);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(deployment()).isNotNull();
      assertThat(client.configMaps().inNamespace(ns).withName("web-gunicorn").get()).isNotNull();
      assertThat(client.services().inNamespace(ns).withName("web").get()).isNotNull();
      assertThat(client.resources(PodDisruptionBudget.class).inNamespace(ns).withName("web").get()).isNotNull();
    });
    String uid = appServer().getMetadata().getUid();
    for (var child : new io.fabric8.kubernetes.api.model.HasMetadata[] {
        deployment(), client.configMaps().inNamespace(ns).withName("web-gunicorn").get(),
        client.services().inNamespace(ns).withName("web").get()}) {
      assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind()).singleElement().satisfies(o -> {
        assertThat(o.getUid()).isEqualTo(uid);
        assertThat(o.getName()).isEqualTo("web");
        assertThat(o.getKind()).isEqualTo("AppServer");
        assertThat(o.getController()).isTrue();
      });
    }
    assertThat(client.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
        .contains("workers = 3\n");
    assertThat(created.getMetadata().getUid()).as("the server's uid of the created AppServer").isEqualTo(uid);
  }

  @Test
  void statusRoundTripsAndTurnsReadyWhenTheDeploymentIs() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> appServer().getStatus() != null && appServer().getStatus().getPhase() != null);
    assertThat(appServer().getStatus().getPhase()).isEqualTo("Progressing");
    markDeploymentRolledOut();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = appServer().getStatus();
      assertThat(status.getPhase()).isEqualTo("Ready");
      assertThat(status.getReady()).isEqualTo("2/2");
      assertThat(status.getWorkers()).isEqualTo(3);
      assertThat(status.getSizing()).contains("floor(2 x 1) + 1 = 3");
      assertThat(status.getConditions()).extracting("type").containsExactly("Ready", "Progressing", "Degraded", "Reconciling", "Stalled");
    });
    assertThat(events.reasons()).contains("Sized", "RolledOut");
  }

  @Test
  void imageChangeRollsThePodTemplate() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment() != null);
    edit(cr -> {
      cr.getSpec().setImage("example/app:2");
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("example/app:2"));
  }

  @Test
  void configurationChangeUpdatesTheConfigMapAndRollsPods() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment() != null);
    String hashBefore = deployment().getSpec().getTemplate().getMetadata().getAnnotations().get("appserver.dev/config-hash");
    edit(cr -> {
      cr.getSpec().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
          .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("2")).build());
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(client.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
          .contains("workers = 5\n");
      assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations().get("appserver.dev/config-hash"))
          .isNotEqualTo(hashBefore);
    });
  }

  @Test
  void scaleReachesTheDeployment() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment() != null);
    edit(cr -> {
      cr.getSpec().setReplicas(5);
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deployment().getSpec().getReplicas()).isEqualTo(5));
  }

  @Test
  void invalidSpecIsDegradedAndLeavesTheRunningDeploymentUntouched() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment() != null && client.configMaps().inNamespace(ns).withName("web-gunicorn").get() != null);
    markDeploymentRolledOut();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Ready".equals(appServer().getStatus().getPhase()));
    Deployment before = deployment();
    String configBefore = client.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py");

    edit(cr -> {
      cr.getSpec().setImage("example/app:2");
      var workers = new dev.appserver.operator.api.v1alpha1.WorkersSpec();
      workers.setThreads(4); // needs workerClass gthread; the mock server runs no admission, the operator catches it
      cr.getSpec().setWorkers(workers);
      return cr;
    });

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = appServer().getStatus();
      assertThat(status.getPhase()).isEqualTo("Degraded");
      assertThat(status.getMessage()).contains("spec.workers.threads");
      var degraded = Conditions.find(status.getConditions(), "Degraded").orElseThrow();
      assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
      assertThat(status.getObservedGeneration()).isEqualTo(appServer().getMetadata().getGeneration());
    });
    assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("example/app:1");
    assertThat(client.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py")).isEqualTo(configBefore);
    assertThat(events.reasons()).contains("InvalidSpec");
  }

  @Test
  void blueGreenFirstDeploymentGoesStraightToActive() {
    create("""
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen}
        """);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var blue = client.apps().deployments().inNamespace(ns).withName("web-blue").get();
      assertThat(blue).isNotNull();
      assertThat(blue.getSpec().getSelector().getMatchLabels()).containsEntry("appserver.dev/color", "blue");
      assertThat(client.services().inNamespace(ns).withName("web").get().getSpec().getSelector())
          .containsEntry("appserver.dev/color", "blue");
      assertThat(client.services().inNamespace(ns).withName("web-preview").get()).isNotNull();
      assertThat(client.configMaps().inNamespace(ns).withName("web-blue-gunicorn").get()).isNotNull();
      var status = appServer().getStatus();
      assertThat(status.getBlueGreen().getActiveColor()).isEqualTo("blue");
      assertThat(status.getBlueGreen().getPhase()).isEqualTo("Idle");
    });
    assertThat(deployment()).isNull();
    assertThat(client.apps().deployments().inNamespace(ns).withName("web-green").get()).isNull();
  }

  private String serviceColor() {
    return client.services().inNamespace(ns).withName("web").get().getSpec().getSelector().get("appserver.dev/color");
  }

  /** The check-then-plan-again path: asked once green is fully ready, a failing check keeps blue serving. */
  @Test
  void aFailingPrePromotionCheckKeepsTheOldColourActiveUntilItPasses() {
    check.answer = false;
    create("""
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready, timeoutSeconds: 7}}}
        """);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.apps().deployments().inNamespace(ns).withName("web-blue").get() != null);
    markRolledOut("web-blue");
    await().atMost(Duration.ofSeconds(30)).until(() -> appServer().getStatus() != null
        && "Ready".equals(appServer().getStatus().getPhase()));
    assertThat(check.calls).as("the first deployment has nothing to check against").isEmpty();

    edit(cr -> {
      cr.getSpec().setImage("example/app:2");
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> client.apps().deployments().inNamespace(ns).withName("web-green").get() != null);
    assertThat(check.calls).as("not asked while green is not ready").isEmpty();
    markRolledOut("web-green");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(check.calls).contains(new FakePromotionCheck.Call(ns, "web-preview", "/ready", 7));
      assertThat(events.reasons()).contains("PrePromotionCheckFailed");
    });
    assertThat(serviceColor()).isEqualTo("blue");
    assertThat(appServer().getStatus().getBlueGreen().getActiveColor()).isEqualTo("blue");
    assertThat(appServer().getStatus().getBlueGreen().getPhase()).isEqualTo("Progressing");
    int failedCalls = check.calls.size();
    // Retried on its own (every 5 s), not only when something changes.
    await().atMost(Duration.ofSeconds(20)).until(() -> check.calls.size() > failedCalls);
    assertThat(serviceColor()).isEqualTo("blue");

    check.answer = true;
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(serviceColor()).isEqualTo("green");
      assertThat(appServer().getStatus().getBlueGreen().getActiveColor()).isEqualTo("green");
    });
    assertThat(events.reasons()).contains("Promoted");
  }

  /** Blue serving revision 1, green brought up with revision 2 and fully ready. */
  private void greenReadyBesideBlue(String strategy) {
    create("image: example/app:1\napp: app:app\nstrategy: " + strategy + "\n");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.apps().deployments().inNamespace(ns).withName("web-blue").get() != null);
    markRolledOut("web-blue");
    await().atMost(Duration.ofSeconds(30)).until(() -> appServer().getStatus() != null
        && "Ready".equals(appServer().getStatus().getPhase()));
    edit(cr -> {
      cr.getSpec().setImage("example/app:2");
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> client.apps().deployments().inNamespace(ns).withName("web-green").get() != null);
    markRolledOut("web-green");
  }

  /** While the check has not answered, the rollout reads as in progress, and the check is held; deleting the AppServer drops it. */
  @Test
  void aRunningCheckShowsInTheConditionsAndIsDroppedWithTheAppServer() {
    check.hold = new java.util.concurrent.CompletableFuture<>();
    greenReadyBesideBlue("{type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready}}}");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = appServer().getStatus();
      var progressing = Conditions.find(status.getConditions(), "Progressing").orElseThrow();
      assertThat(progressing.getStatus()).isEqualTo("True");
      assertThat(progressing.getReason()).isEqualTo("PrePromotionCheckRunning");
      assertThat(progressing.getMessage()).startsWith("green is ready with revision ")
          .endsWith("; the pre-promotion check through web-preview is running; blue serves");
      var reconciling = Conditions.find(status.getConditions(), "Reconciling").orElseThrow();
      assertThat(reconciling.getStatus()).as("kstatus reads InProgress").isEqualTo("True");
      assertThat(reconciling.getReason()).isEqualTo("PrePromotionCheckRunning");
      assertThat(Conditions.isTrue(status.getConditions(), "Stalled")).isFalse();
      assertThat(status.getPhase()).isEqualTo("Progressing");
      assertThat(status.getMessage()).isEqualTo(progressing.getMessage());
    });
    assertThat(check.calls).hasSize(1);
    assertThat(serviceColor()).isEqualTo("blue");
    assertThat(reconciler.promotionChecks().size()).isEqualTo(1);

    client.resources(AppServer.class).inNamespace(ns).withName("web").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.promotionChecks().size() == 0);
    check.hold.complete(true);
    assertThat(check.calls).as("nothing checked after the deletion").hasSize(1);
  }

  /** The operator's stop (OperatorMain's close) ends the checks' executor; a check still running is let go. */
  @Test
  void stoppingTheOperatorStopsTheCheckExecutor() {
    check.hold = new java.util.concurrent.CompletableFuture<>();
    greenReadyBesideBlue("{type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready}}}");
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.promotionChecks().size() == 1);
    operator.stop();
    assertThat(reconciler.promotionChecks().isTerminated()).isTrue();
    assertThat(reconciler.promotionChecks().size()).isZero();
    check.hold.complete(true);
    assertThat(reconciler.promotionChecks().size()).as("a late answer is ignored").isZero();
  }

  /** A failed check says why in the conditions, and the rollout stays in progress while it is retried. */
  @Test
  void aFailedCheckSaysWhyWhileItIsRetried() {
    check.answer = false;
    greenReadyBesideBlue("{type: BlueGreen, blueGreen: {prePromotionCheck: {path: /ready}}}");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = appServer().getStatus();
      var progressing = Conditions.find(status.getConditions(), "Progressing").orElseThrow();
      assertThat(progressing.getReason()).isEqualTo("PrePromotionCheckFailed");
      assertThat(progressing.getMessage()).endsWith(
          "; the pre-promotion check through web-preview did not answer 2xx (HTTP 503), trying again every 5s; blue serves");
      assertThat(Conditions.isTrue(status.getConditions(), "Reconciling")).isTrue();
      assertThat(Conditions.isTrue(status.getConditions(), "Stalled")).isFalse();
      assertThat(status.getPhase()).isEqualTo("Progressing");
    });
    assertThat(events.events).anySatisfy(e -> assertThat(e.message())
        .isEqualTo("the pre-promotion check through web-preview did not answer 2xx (HTTP 503); traffic stays on blue"));
    assertThat(serviceColor()).isEqualTo("blue");
  }

  @Test
  void disablingTheBudgetDeletesIt() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.resources(PodDisruptionBudget.class).inNamespace(ns).withName("web").get() != null);
    edit(cr -> {
      var budget = new dev.appserver.operator.api.v1alpha1.DisruptionBudgetSpec();
      budget.setEnabled(false);
      cr.getSpec().setDisruptionBudget(budget);
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.resources(PodDisruptionBudget.class).inNamespace(ns).withName("web").get() == null);
  }
}
