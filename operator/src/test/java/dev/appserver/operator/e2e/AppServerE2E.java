package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.ops.ApiRequests;
import dev.appserver.operator.reconciler.TrimmedStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator against a real kube-apiserver, controller manager and scheduler (the local
 * control plane, KWOK nodes), driven with the real kubectl. Needs KUBECONFIG and kubectl on PATH,
 * as `make test-e2e` sets them.
 */
class AppServerE2E extends E2ESupport {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      missing image                  | app: app:app                                                                   | spec.image
      app without a callable         | {image: x, app: app}                                                            | spec.app
      port out of range              | {image: x, app: 'app:app', port: 70000}                                        | spec.port
      threads without gthread        | {image: x, app: 'app:app', workers: {threads: 4}}                              | spec.workers.threads
      unknown worker class           | {image: x, app: 'app:app', workers: {workerClass: fast}}                       | spec.workers.workerClass
      threads 1 with profile io      | {image: x, app: 'app:app', workers: {profile: io, threads: 1}}                 | spec.workers.threads
      sync with profile io           | {image: x, app: 'app:app', workers: {profile: io, workerClass: sync}}          | spec.workers.workerClass
      concurrency with profile cpu   | {image: x, app: 'app:app', workers: {concurrency: 100}}                        | spec.workers.concurrency
      concurrency and threads        | {image: x, app: 'app:app', workers: {profile: io, threads: 8, concurrency: 100}} | spec.workers.concurrency
      concurrency with uvicorn       | {image: x, app: 'app:app', workers: {profile: io, workerClass: uvicorn, concurrency: 100}} | spec.workers.concurrency
      concurrency above 1024         | {image: x, app: 'app:app', workers: {profile: io, concurrency: 1025}}          | spec.workers.concurrency
      WEB_CONCURRENCY in env         | {image: x, app: 'app:app', env: [{name: WEB_CONCURRENCY, value: '4'}]}         | spec.env
      jitter not below max requests  | {image: x, app: 'app:app', gunicorn: {maxRequests: 10, maxRequestsJitter: 10}} | spec.gunicorn.maxRequestsJitter
      managed flag in extraArgs      | {image: x, app: 'app:app', gunicorn: {extraArgs: ['--workers', '9']}}          | spec.gunicorn.extraArgs
      joined short flag in extraArgs | {image: x, app: 'app:app', gunicorn: {extraArgs: ['-w9']}}                     | spec.gunicorn.extraArgs
      GUNICORN_CMD_ARGS in env       | {image: x, app: 'app:app', env: [{name: GUNICORN_CMD_ARGS, value: '-w 9'}]}    | spec.env
      autoscaling without max        | {image: x, app: 'app:app', resources: {requests: {cpu: 1}}, autoscaling: {enabled: true}} | spec.autoscaling.maxReplicas
      autoscaling without cpu        | {image: x, app: 'app:app', autoscaling: {enabled: true, maxReplicas: 5}}       | spec.autoscaling
      cpu is not a quantity          | {image: x, app: 'app:app', resources: {limits: {cpu: lots}}}                   | spec.resources
      request above limit            | {image: x, app: 'app:app', resources: {requests: {cpu: 2}, limits: {cpu: 1}}}  | spec.resources
      zero memory per worker         | {image: x, app: 'app:app', workers: {memoryPerWorker: '0'}}                    | spec.workers.memoryPerWorker
      both budget bounds             | {image: x, app: 'app:app', disruptionBudget: {minAvailable: 1, maxUnavailable: 1}} | spec.disruptionBudget
      """)
  void admissionRejectsBadAppServersNamingTheField(String what, String spec, String field) {
    String yaml = spec.startsWith("{") ? appServer("bad", "") .replace("spec:\n", "spec: " + spec + "\n") : appServer("bad", spec);
    var result = Kubectl.runWithInput(yaml, "-n", ns, "apply", "--dry-run=server", "-f", "-");
    assertThat(result.exitCode()).as("%s must be rejected", what).isNotZero();
    assertThat(result.err()).as(what).contains(field);
  }

  @Test
  void createdAppServerGetsItsChildrenAndBecomesReady() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: 500m, memory: 256Mi}}
        """)).ok();
    waitReady("web");
    assertThat(deployment("web")).isNotNull();
    assertThat(kube.services().inNamespace(ns).withName("web").get()).isNotNull();
    var cm = kube.configMaps().inNamespace(ns).withName("web-gunicorn").get();
    assertThat(cm.getData().get("gunicorn.conf.py")).contains("workers = 2\n", "bind = \"0.0.0.0:8000\"\n");
    var status = kube.resources(AppServer.class).inNamespace(ns).withName("web").get().getStatus();
    assertThat(status.getReady()).isEqualTo("2/2");
    assertThat(status.getSizing()).isEqualTo("cpu limit 500m: floor(2 x 0.5) + 1 = 2; 2 sync processes = 2 in flight");
    assertThat(status.getInFlightPerPod()).isEqualTo(2);
    assertThat(status.getInFlight()).isEqualTo(4);
  }

  @Test
  void ioAppServerRunsGthreadSizedFromItsConcurrency() {
    apply(appServer("chat", """
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1", memory: 512Mi}}
        workers: {profile: io, concurrency: 60}
        """)).ok();
    waitReady("chat");
    var stored = operator.client.resources(AppServer.class).inNamespace(ns).withName("chat").get();
    assertThat(stored.getSpec().getWorkers().getWorkerClass()).as("no schema default for the class").isNull();
    assertThat(stored.getSpec().getWorkers().getThreads()).as("no schema default for threads").isNull();
    var cm = operator.client.configMaps().inNamespace(ns).withName("chat-gunicorn").get();
    assertThat(cm.getData().get("gunicorn.conf.py"))
        .contains("workers = 3\n", "worker_class = \"gthread\"\n", "threads = 20\n", "keepalive = 75\n");
    var env = deployment("chat").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env).filteredOn(e -> e.getName().equals("WEB_CONCURRENCY")).extracting(e -> e.getValue()).containsExactly("3");
    var status = stored.getStatus();
    assertThat(status.getSizing()).isEqualTo("io, cpu limit 1: floor(2 x 1) + 1 = 3; 3 gthread processes x 20 threads (concurrency 60) = 60 in flight");
    assertThat(status.getInFlightPerPod()).isEqualTo(60);
    assertThat(status.getInFlight()).isEqualTo(120);
  }

  @Test
  void kubectlGetTellsTheStoryAndExplainDescribesFields() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "1"}}
        """)).ok();
    waitReady("web");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      String table = Kubectl.run("-n", ns, "get", "appservers").ok().out();
      assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+WORKERS\\s+STRATEGY\\s+ACTIVE\\s+PHASE\\s+BUSY%\\s+SIZING\\s+AGE.*");
      assertThat(table).containsPattern("web\\s+2/2\\s+3\\s+RollingUpdate\\s+Ready\\s+");
    });
    assertThat(Kubectl.run("get", "asrv", "-n", ns).ok().out()).contains("web");
    String explain = Kubectl.run("explain", "appserver.spec.workers").ok().out();
    assertThat(explain).contains("memoryPerWorker", "workerClass", "floor(2 x cores) + 1", "profile", "concurrency");
  }

  @Test
  void kubectlScaleReachesTheDeployment() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    Kubectl.run("-n", ns, "scale", "appserver", "web", "--replicas=3").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(3);
      assertThat(Kubectl.run("-n", ns, "get", "appserver", "web", "-o", "jsonpath={.status.readyReplicas}").ok().out()).isEqualTo("3");
    });
  }

  @Test
  void imageChangeRollsTheDeploymentThroughProgressingToReady() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    List<String> phases = new CopyOnWriteArrayList<>();
    try (var watch = kube.resources(AppServer.class).inNamespace(ns).withName("web").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, AppServer resource) {
        if (resource.getStatus() != null) phases.add(resource.getStatus().getPhase());
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"image\":\"example/app:2\"}}").ok();
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        assertThat(phases).contains("Progressing");
        assertThat(phases.get(phases.size() - 1)).isEqualTo("Ready");
        assertThat(deployment("web").getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("example/app:2");
      });
    }
    waitReady("web");
    var pods = kube.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", "web").list().getItems();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kube.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", "web").list().getItems())
            .hasSize(2)
            .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("example/app:2")));
    assertThat(pods).isNotEmpty();
  }

  @Test
  void deletingTheAppServerGarbageCollectsEveryChild() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    String query = "deployments,replicasets,pods,services,configmaps,poddisruptionbudgets";
    // The query finds every child before the delete, so an empty answer after it means they are gone.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<String> before = Kubectl.run("-n", ns, "get", query, "-l", "app.kubernetes.io/instance=web", "-o", "name")
          .ok().out().lines().toList();
      assertThat(before).contains("deployment.apps/web", "service/web", "configmap/web-gunicorn",
          "poddisruptionbudget.policy/web");
      assertThat(before).filteredOn(n -> n.startsWith("replicaset.apps/web-")).hasSize(1);
      assertThat(before).filteredOn(n -> n.startsWith("pod/web-")).hasSize(2);
    });
    Kubectl.run("-n", ns, "delete", "appserver", "web").ok();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      String left = Kubectl.run("-n", ns, "get", query,
          "-l", "app.kubernetes.io/instance=web", "-o", "name").ok().out();
      assertThat(left).isBlank();
    });
  }

  @Test
  void restrictedNamespaceAdmitsTheGeneratedPods() {
    Kubectl.run("label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted").ok();
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        securityContext: {pod: {runAsUser: 10001}}
        """)).ok();
    waitReady("web");
    List<Pod> pods = kube.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", "web").list().getItems();
    assertThat(pods).hasSize(2);
    // The same namespace refuses a pod that is not restricted: the label is really enforced.
    var privileged = Kubectl.runWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: privileged}
        spec:
          containers: [{name: c, image: x, securityContext: {privileged: true}}]
        """, "-n", ns, "apply", "-f", "-");
    assertThat(privileged.exitCode()).isNotZero();
    assertThat(privileged.err()).contains("violates PodSecurity");
  }

  @Test
  void steadyStateMakesNoApiWrites() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        autoscaling: {enabled: false}
        """)).ok();
    waitReady("web");
    await().atMost(Duration.ofSeconds(60)).until(() ->
        Kubectl.run("-n", ns, "get", "appserver", "web", "-o", "jsonpath={.status.phase}").out().equals("Ready"));
    operator.writes.clear();
    var writesBefore = operator.requests.snapshot();
    // Three reconciles of the unchanged AppServer, each caused by a change of an annotation the
    // operator does not read (the operator reconciles on every change, not only of the spec).
    for (int poke = 1; poke <= 3; poke++) {
      int before = operator.reconcilesIn(ns);
      Kubectl.run("-n", ns, "annotate", "--overwrite", "appserver", "web", "e2e.appserver.dev/poke=" + poke).ok();
      await().atMost(Duration.ofSeconds(30)).until(() -> operator.reconcilesIn(ns) > before);
    }
    assertThat(operator.writesIn(ns)).as("writes while reconciling an unchanged AppServer").isEmpty();
    var after = operator.requests.snapshot();
    assertThat(after).as("the operator's own count of its requests").containsKey(new ApiRequests.Key("apply", "deployments"));
    after.forEach((key, count) -> {
      if (ApiRequests.isWrite(key.verb())) {
        assertThat(count).as("%s %s, by the operator's own count", key.verb(), key.resource())
            .isEqualTo(writesBefore.getOrDefault(key, 0L));
      }
    });
  }

  /**
   * The informers keep only what the operator reads: of every applied child only the managedFields
   * entry of the operator's own applies (the API server's copy has kube-controller-manager's too,
   * and kubectl's on the AppServer), no managedFields and no client-side apply annotation on the
   * AppServer, and the ConfigMap's Gunicorn configuration as a digest. A reconcile of the
   * unchanged AppServer still finds everything matching and writes nothing.
   */
  @Test
  void informerCachesKeepOnlyWhatTheOperatorReads() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    var live = kube.apps().deployments().inNamespace(ns).withName("web").get();
    assertThat(live.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
        .contains(TrimmedStore.FIELD_MANAGER, "kube-controller-manager");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (Class<? extends HasMetadata> kind : List.of(Deployment.class, Service.class, PodDisruptionBudget.class)) {
        String informer = Map.of(Deployment.class, "deployments", Service.class, "services",
            PodDisruptionBudget.class, "poddisruptionbudgets").get(kind);
        var cached = operator.cached(kind, informer, ns);
        assertThat(cached).as(kind.getSimpleName()).isNotEmpty().allSatisfy(r ->
            assertThat(r.getMetadata().getManagedFields()).as("managedFields of the cached %s", kind.getSimpleName())
                .singleElement().satisfies(f -> {
                  assertThat(f.getManager()).isEqualTo(TrimmedStore.FIELD_MANAGER);
                  assertThat(f.getOperation()).isEqualTo("Apply");
                }));
      }
      var deployment = operator.cached(Deployment.class, "deployments", ns).get(0);
      assertThat(deployment.getStatus().getReadyReplicas()).as("status is kept: the operator reads it").isEqualTo(2);
      // JOSDK creates and matches ConfigMaps without server-side apply, so none of their entries is read.
      var cm = operator.cached(ConfigMap.class, "configmaps", ns).get(0);
      assertThat(cm.getMetadata().getManagedFields()).isEmpty();
      assertThat(cm.getData().get("gunicorn.conf.py")).startsWith("\0sha256:").hasSize("\0sha256:".length() + 64);
      var appServer = operator.cachedAppServers(ns).get(0);
      assertThat(appServer.getMetadata().getManagedFields()).isNullOrEmpty();
      assertThat(appServer.getMetadata().getAnnotations()).doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
      assertThat(appServer.getSpec().getImage()).isEqualTo("example/app:1");
    });
    assertThat(kube.resources(AppServer.class).inNamespace(ns).withName("web").get().getMetadata().getAnnotations())
        .as("the API server's copy is untouched").containsKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(kube.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
        .contains("workers = ");

    operator.writes.clear();
    int before = operator.reconcilesIn(ns);
    Kubectl.run("-n", ns, "annotate", "--overwrite", "appserver", "web", "e2e.appserver.dev/poke=1").ok();
    await().atMost(Duration.ofSeconds(30)).until(() -> operator.reconcilesIn(ns) > before);
    assertThat(operator.writesIn(ns)).as("writes while reconciling an unchanged AppServer from trimmed caches").isEmpty();
  }

}
