package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
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
  private RecordingEvents events;

  @BeforeEach
  void startOperator() {
    events = new RecordingEvents();
    var reconciler = new AppServerReconciler(
        new AppServerValidator(Admission.fromClasspath()), events, (m, svc, path, timeout) -> true, Clock.systemUTC());
    // The mock server speaks no server-side apply: here dependents are created and updated with
    // plain requests. The SSA path (and its no-write steady state) is proven on a real apiserver in *E2E.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false).withUseSSAToPatchPrimaryResource(false));
    operator.register(reconciler, c -> c.settingNamespace("shop"));
    operator.start();
  }

  @AfterEach
  void stopOperator() {
    operator.stop();
    client.resources(AppServer.class).inNamespace("shop").delete();
    client.apps().deployments().inNamespace("shop").delete();
    client.configMaps().inNamespace("shop").delete();
    client.services().inNamespace("shop").delete();
    client.resources(PodDisruptionBudget.class).inNamespace("shop").delete();
  }

  private AppServer create(String spec) {
    return client.resource(TestAppServers.parse(spec)).create();
  }

  /** Edits the AppServer, retrying when the operator's status write got in first (409). */
  private void edit(java.util.function.UnaryOperator<AppServer> change) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .until(() -> client.resources(AppServer.class).inNamespace("shop").withName("web").edit(change) != null);
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace("shop").withName("web").get();
  }

  private AppServer appServer() {
    return client.resources(AppServer.class).inNamespace("shop").withName("web").get();
  }

  /** What the Deployment controller would report once every pod of the template is ready. */
  private void markDeploymentRolledOut() {
    var d = deployment();
    int n = d.getSpec().getReplicas();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(n).withReadyReplicas(n).withAvailableReplicas(n).withUpdatedReplicas(n).build());
    client.resource(d).updateStatus();
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
      assertThat(client.configMaps().inNamespace("shop").withName("web-gunicorn").get()).isNotNull();
      assertThat(client.services().inNamespace("shop").withName("web").get()).isNotNull();
      assertThat(client.resources(PodDisruptionBudget.class).inNamespace("shop").withName("web").get()).isNotNull();
    });
    String uid = appServer().getMetadata().getUid();
    for (var child : new io.fabric8.kubernetes.api.model.HasMetadata[] {
        deployment(), client.configMaps().inNamespace("shop").withName("web-gunicorn").get(),
        client.services().inNamespace("shop").withName("web").get()}) {
      assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind()).singleElement().satisfies(o -> {
        assertThat(o.getUid()).isEqualTo(uid);
        assertThat(o.getKind()).isEqualTo("AppServer");
        assertThat(o.getController()).isTrue();
      });
    }
    assertThat(client.configMaps().inNamespace("shop").withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
        .contains("workers = 3\n");
    assertThat(created.getMetadata().getName()).isEqualTo("web");
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
      assertThat(status.getConditions()).extracting("type").containsExactly("Ready", "Progressing", "Degraded");
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
      assertThat(client.configMaps().inNamespace("shop").withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
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
    await().atMost(Duration.ofSeconds(30)).until(() -> deployment() != null && client.configMaps().inNamespace("shop").withName("web-gunicorn").get() != null);
    markDeploymentRolledOut();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Ready".equals(appServer().getStatus().getPhase()));
    Deployment before = deployment();
    String configBefore = client.configMaps().inNamespace("shop").withName("web-gunicorn").get().getData().get("gunicorn.conf.py");

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
    assertThat(client.configMaps().inNamespace("shop").withName("web-gunicorn").get().getData().get("gunicorn.conf.py")).isEqualTo(configBefore);
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
      var blue = client.apps().deployments().inNamespace("shop").withName("web-blue").get();
      assertThat(blue).isNotNull();
      assertThat(blue.getSpec().getSelector().getMatchLabels()).containsEntry("appserver.dev/color", "blue");
      assertThat(client.services().inNamespace("shop").withName("web").get().getSpec().getSelector())
          .containsEntry("appserver.dev/color", "blue");
      assertThat(client.services().inNamespace("shop").withName("web-preview").get()).isNotNull();
      assertThat(client.configMaps().inNamespace("shop").withName("web-blue-gunicorn").get()).isNotNull();
      var status = appServer().getStatus();
      assertThat(status.getBlueGreen().getActiveColor()).isEqualTo("blue");
      assertThat(status.getBlueGreen().getPhase()).isEqualTo("Idle");
    });
    assertThat(deployment()).isNull();
    assertThat(client.apps().deployments().inNamespace("shop").withName("web-green").get()).isNull();
  }

  @Test
  void disablingTheBudgetDeletesIt() {
    create("""
        image: example/app:1
        app: app:app
        """);
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.resources(PodDisruptionBudget.class).inNamespace("shop").withName("web").get() != null);
    edit(cr -> {
      var budget = new dev.appserver.operator.api.v1alpha1.DisruptionBudgetSpec();
      budget.setEnabled(false);
      cr.getSpec().setDisruptionBudget(budget);
      return cr;
    });
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.resources(PodDisruptionBudget.class).inNamespace("shop").withName("web").get() == null);
  }
}
