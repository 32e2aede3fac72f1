package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.model.rollout.Children;
import dev.appserver.operator.external.PodMonitor;
import dev.appserver.operator.external.ScaledObject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildResourcesTest {

  private static final AppServerModel MINIMAL = TestAppServers.minimal();

  private static Deployment deployment(AppServerModel m) {
    return ChildResources.deployment(m, m.name(), Map.of(), m.spec().getReplicas());
  }

  private static Container container(AppServerModel m) {
    return deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void minimalAppServerGetsConfigMapDeploymentServiceAndBudget() {
    var kinds = Children.initial(MINIMAL).stream().map(HasMetadata::getKind).toList();
    assertThat(kinds).containsExactly("ConfigMap", "Deployment", "Service", "PodDisruptionBudget");
  }

  @Test
  void everyChildCarriesTheOperatorLabels() {
    for (HasMetadata child : Children.initial(MINIMAL)) {
      assertThat(child.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "web")
          .containsEntry("app.kubernetes.io/name", "appserver")
          .containsEntry("app.kubernetes.io/managed-by", "appserver-operator");
      assertThat(child.getMetadata().getNamespace()).isEqualTo("shop");
    }
  }

  @Test
  void gunicornRunsAsPid1WithTheMountedConfig() {
    var c = container(MINIMAL);
    assertThat(c.getCommand()).containsExactly("gunicorn", "--config", "/etc/gunicorn/gunicorn.conf.py", "app:app");
    assertThat(c.getArgs()).isEmpty();
    assertThat(c.getVolumeMounts()).anySatisfy(v -> {
      assertThat(v.getMountPath()).isEqualTo("/etc/gunicorn");
      assertThat(v.getReadOnly()).isTrue();
    });
    var volumes = deployment(MINIMAL).getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes).anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo("web-gunicorn"));
    assertThat(volumes).anySatisfy(v -> assertThat(v.getEmptyDir() != null && "Memory".equals(v.getEmptyDir().getMedium())).isTrue());
    assertThat(c.getVolumeMounts()).extracting("mountPath").contains("/dev/shm", "/tmp");
  }

  @Test
  void webConcurrencyTellsTheAppItsProcessCount() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "2"}}
        workers: {profile: io}
        env: [{name: A, value: "1"}]
        """);
    var env = deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env).filteredOn(e -> e.getName().equals("WEB_CONCURRENCY")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("5").isEqualTo(Integer.toString(m.sizing().workers())));
  }

  @Test
  void extraArgsGoBetweenConfigAndApp() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        gunicorn: {extraArgs: ["--statsd-host", "localhost:8125"]}
        """);
    assertThat(container(m).getCommand()).containsExactly(
        "gunicorn", "--config", "/etc/gunicorn/gunicorn.conf.py", "--statsd-host", "localhost:8125", "app:app");
  }

  @Test
  void configMapHoldsTheRenderedFileAndTheTemplateItsHash() {
    ConfigMap cm = ChildResources.configMap(MINIMAL, "web");
    assertThat(cm.getMetadata().getName()).isEqualTo("web-gunicorn");
    assertThat(cm.getData()).containsOnlyKeys("gunicorn.conf.py", "appserver_metrics.py")
        .containsEntry("gunicorn.conf.py", MINIMAL.gunicornConfig())
        .containsEntry("appserver_metrics.py", GunicornConfig.METRICS_MODULE);
    assertThat(GunicornConfig.METRICS_MODULE).contains("def install(namespace");
    assertThat(deployment(MINIMAL).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("appserver.dev/config-hash", GunicornConfig.hash(MINIMAL.gunicornConfig()));
  }

  @Test
  void aConfigurationChangeChangesThePodTemplate() {
    var other = TestAppServers.model("""
        image: example/app:1
        app: app:app
        gunicorn: {timeoutSeconds: 60}
        """);
    assertThat(deployment(other).getSpec().getTemplate()).isNotEqualTo(deployment(MINIMAL).getSpec().getTemplate());
  }

  @Test
  void gracePeriodCoversPreStopGracefulTimeoutAndMargin() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        gunicorn: {gracefulTimeoutSeconds: 45}
        """);
    var pod = deployment(m).getSpec().getTemplate().getSpec();
    long preStop = pod.getContainers().get(0).getLifecycle().getPreStop().getSleep().getSeconds();
    assertThat(preStop).isEqualTo(5);
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(preStop + 45).isEqualTo(55);
  }

  @Test
  void readinessUsesTheSeedDocumentsTable() {
    var p = container(MINIMAL).getReadinessProbe();
    assertThat(p.getHttpGet().getPath()).isEqualTo("/health");
    assertThat(p.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
    assertThat(new int[] {p.getInitialDelaySeconds(), p.getPeriodSeconds(), p.getTimeoutSeconds(), p.getSuccessThreshold(), p.getFailureThreshold()})
        .containsExactly(5, 10, 2, 1, 3);
  }

  @Test
  void livenessIsATcpCheckSoBusyWorkersDoNotRestartThePod() {
    var p = container(MINIMAL).getLivenessProbe();
    assertThat(p.getHttpGet()).isNull();
    assertThat(p.getTcpSocket().getPort()).isEqualTo(new IntOrString("http"));
    assertThat(p.getFailureThreshold() * p.getPeriodSeconds()).isGreaterThanOrEqualTo(60);
  }

  @Test
  void probeOverridesApplyFieldByField() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        probes:
          path: /healthz
          readiness: {periodSeconds: 3}
          liveness: {path: /live, failureThreshold: 2}
          startup: {enabled: false}
        """);
    var c = container(m);
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getPeriodSeconds()).isEqualTo(3);
    assertThat(c.getReadinessProbe().getTimeoutSeconds()).isEqualTo(2);
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/live");
    assertThat(c.getLivenessProbe().getFailureThreshold()).isEqualTo(2);
    assertThat(c.getStartupProbe()).isNull();
  }

  @Test
  void podsAreRestrictedByDefault() {
    var pod = deployment(MINIMAL).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = pod.getContainers().get(0).getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
  }

  @Test
  void securityOverridesReplaceOnlyTheFieldsGiven() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        securityContext:
          pod: {runAsUser: 10001, fsGroup: 10001}
          container: {readOnlyRootFilesystem: false}
        """);
    var pod = deployment(m).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = pod.getContainers().get(0).getSecurityContext();
    assertThat(sc.getReadOnlyRootFilesystem()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
  }

  @Test
  void rollingUpdateNeverDropsCapacityByDefault() {
    var s = deployment(MINIMAL).getSpec();
    assertThat(s.getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("25%"));
    assertThat(s.getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(s.getProgressDeadlineSeconds()).isEqualTo(600);
    assertThat(s.getReplicas()).isEqualTo(2);
  }

  @Test
  void podLabelsCannotStealTheSelector() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        podLabels: {team: shop, app.kubernetes.io/instance: other}
        """);
    var d = deployment(m);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "shop").containsEntry("app.kubernetes.io/instance", "web");
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "appserver", "app.kubernetes.io/instance", "web"));
  }

  @Test
  void passThroughFieldsReachThePodSpec() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        nodeSelector: {pool: web}
        tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
        serviceAccountName: shop
        priorityClassName: high
        imagePullSecrets: [{name: regcred}]
        env: [{name: A, value: "1"}]
        envFrom: [{configMapRef: {name: shop-env}}]
        topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]
        """);
    var pod = deployment(m).getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("pool", "web");
    assertThat(pod.getTolerations()).hasSize(1);
    assertThat(pod.getServiceAccountName()).isEqualTo("shop");
    assertThat(pod.getPriorityClassName()).isEqualTo("high");
    assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("regcred");
    assertThat(pod.getTopologySpreadConstraints()).hasSize(1);
    var c = pod.getContainers().get(0);
    assertThat(c.getEnv()).extracting("name").containsExactly("A", "PYTHONUNBUFFERED", "WEB_CONCURRENCY");
    assertThat(c.getEnvFrom()).hasSize(1);
  }

  @Test
  void serviceTargetsTheNamedPort() {
    Service s = ChildResources.service(MINIMAL, "web", Names.podSelector("web"));
    assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(s.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString("http"));
    assertThat(s.getSpec().getSelector()).isEqualTo(Names.podSelector("web"));
  }

  @Test
  void previewServiceStaysInsideTheClusterWhateverTheMainServiceIs() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        service: {type: LoadBalancer, annotations: {lb.example.com/scheme: internet-facing}}
        strategy: {type: BlueGreen}
        """);
    var children = Children.initial(m);
    Service main = (Service) children.stream().filter(c -> c.getMetadata().getName().equals("web")
        && c instanceof Service).findFirst().orElseThrow();
    Service preview = (Service) children.stream().filter(c -> c.getMetadata().getName().equals("web-preview")).findFirst().orElseThrow();
    assertThat(main.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(preview.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(preview.getMetadata().getAnnotations()).isEmpty();
  }

  @Test
  void budgetDefaultsToOneUnavailableAndCanBeTurnedOff() {
    assertThat(ChildResources.wantsDisruptionBudget(MINIMAL)).isTrue();
    PodDisruptionBudget pdb = ChildResources.disruptionBudget(MINIMAL);
    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    var min = TestAppServers.model("""
        image: example/app:1
        app: app:app
        disruptionBudget: {minAvailable: 50%}
        """);
    assertThat(ChildResources.disruptionBudget(min).getSpec().getMinAvailable()).isEqualTo(new IntOrString("50%"));
    assertThat(ChildResources.disruptionBudget(min).getSpec().getMaxUnavailable()).isNull();
    var off = TestAppServers.model("""
        image: example/app:1
        app: app:app
        disruptionBudget: {enabled: false}
        """);
    assertThat(ChildResources.wantsDisruptionBudget(off)).isFalse();
    assertThat(Children.initial(off)).noneMatch(r -> r instanceof PodDisruptionBudget);
  }

  @Test
  void rollingUpdateBudgetCoversEveryPodOfTheAppServer() {
    var pdb = Children.initial(MINIMAL).stream().filter(r -> r instanceof PodDisruptionBudget)
        .map(PodDisruptionBudget.class::cast).findFirst().orElseThrow();
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(Names.podSelector(MINIMAL.name()));
  }

  @Test
  void autoscalerTargetsTheAppServerScaleSubresource() {
    assertThat(ChildResources.wantsAutoscaler(MINIMAL)).isFalse();
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {requests: {cpu: 500m}}
        autoscaling: {enabled: true, maxReplicas: 10}
        """);
    assertThat(ChildResources.wantsAutoscaler(m)).isTrue();
    HorizontalPodAutoscaler hpa = ChildResources.autoscaler(m);
    assertThat(Children.initial(m)).last().isEqualTo(hpa);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("AppServer");
    assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("appserver.dev/v1alpha1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
      assertThat(metric.getType()).isEqualTo("Resource");
      assertThat(metric.getResource().getName()).isEqualTo("cpu");
      assertThat(metric.getResource().getTarget().getAverageUtilization()).isEqualTo(75);
    });
  }

  @Test
  void podsServeMetricsOnANamedPortWithScrapeAnnotations() {
    var c = container(MINIMAL);
    assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("http:8000", "metrics:9464");
    assertThat(deployment(MINIMAL).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "9464")
        .containsEntry("prometheus.io/path", "/metrics");

    var noAnnotations = TestAppServers.model("""
        image: example/app:1
        app: app:app
        metrics: {scrapeAnnotations: false}
        podAnnotations: {prometheus.io/scrape: "false"}
        """);
    assertThat(container(noAnnotations).getPorts()).extracting(p -> p.getName()).containsExactly("http", "metrics");
    assertThat(deployment(noAnnotations).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "false").doesNotContainKeys("prometheus.io/port", "prometheus.io/path");

    var off = TestAppServers.model("""
        image: example/app:1
        app: app:app
        metrics: {enabled: false}
        """);
    assertThat(container(off).getPorts()).extracting(p -> p.getName()).containsExactly("http");
    assertThat(deployment(off).getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("prometheus.io/scrape");
    assertThat(ChildResources.configMap(off, "web").getData()).containsOnlyKeys("gunicorn.conf.py");
  }

  @Test
  void busyWorkersAutoscalerReadsThePodsBusyRatio() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        autoscaling: {enabled: true, maxReplicas: 8, metric: busyWorkers, targetBusyPercent: 65}
        """);
    var metrics = ChildResources.autoscaler(m).getSpec().getMetrics();
    assertThat(metrics).singleElement().satisfies(metric -> {
      assertThat(metric.getType()).isEqualTo("Pods");
      assertThat(metric.getPods().getMetric().getName()).isEqualTo("gunicorn_busy_ratio");
      assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
      assertThat(metric.getPods().getTarget().getAverageValue()).isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("650m"));
    });
  }

  @Test
  void sameInputSameOutput() {
    assertThat(Children.initial(TestAppServers.minimal())).isEqualTo(Children.initial(TestAppServers.minimal()));
  }

  @Test
  void kedaEngineWritesAScaledObjectForBusyWorkersAndNoAutoscalerOfItsOwn() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        autoscaling: {enabled: true, engine: keda, metric: busyWorkers, targetBusyPercent: 60,
                      minReplicas: 1, maxReplicas: 6, scaleDownStabilizationSeconds: 30}
        """);
    assertThat(ChildResources.wantsAutoscaler(m)).isFalse();
    assertThat(ChildResources.wantsScaledObject(m)).isTrue();
    assertThat(Children.initial(m)).noneMatch(r -> r instanceof HorizontalPodAutoscaler);

    ScaledObject so = ChildResources.scaledObject(m, "http://prometheus.monitoring:9090");
    assertThat(so.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    assertThat(so.getKind()).isEqualTo("ScaledObject");
    assertThat(so.getMetadata().getLabels()).containsEntry(Names.LABEL_MANAGED_BY, Names.OPERATOR);
    var spec = so.getSpec();
    assertThat(spec.scaleTargetRef()).isEqualTo(new ScaledObject.ScaleTarget("appserver.dev/v1alpha1", "AppServer", m.name()));
    assertThat(spec.minReplicaCount()).isEqualTo(1);
    assertThat(spec.maxReplicaCount()).isEqualTo(6);
    assertThat(spec.advanced().horizontalPodAutoscalerConfig().behavior().getScaleDown().getStabilizationWindowSeconds())
        .isEqualTo(30);
    assertThat(spec.triggers()).singleElement().satisfies(t -> {
      assertThat(t.type()).isEqualTo("prometheus");
      assertThat(t.metricType()).isEqualTo("Value");
      assertThat(t.metadata()).containsEntry("serverAddress", "http://prometheus.monitoring:9090")
          .containsEntry("threshold", "0.6")
          .containsEntry("query", "avg(max_over_time(gunicorn_busy_ratio{namespace=\"" + m.namespace()
              + "\",appserver=\"" + m.name() + "\"}[1m]))");
    });
    // What the API server receives: KEDA's field names, nothing unset.
    String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(so);
    assertThat(json).contains("\"scaleTargetRef\":{\"apiVersion\":\"appserver.dev/v1alpha1\",\"kind\":\"AppServer\"")
        .contains("\"pollingInterval\":" + ChildResources.KEDA_POLLING_SECONDS)
        .doesNotContain("null");
  }

  @Test
  void kedaOnCpuUsesItsCpuScaler() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {requests: {cpu: 500m}}
        autoscaling: {enabled: true, engine: keda, maxReplicas: 4}
        """);
    var so = ChildResources.scaledObject(m, "");
    assertThat(so.getSpec().triggers()).singleElement()
        .isEqualTo(new ScaledObject.Trigger("cpu", "Utilization", Map.of("value", "75")));
    assertThat(so.getSpec().advanced()).as("no behaviour asked for: the cluster's").isNull();
  }

  @Test
  void scaleDownStabilizationGoesIntoTheOperatorsOwnAutoscaler() {
    var m = TestAppServers.model("""
        image: example/app:1
        app: app:app
        autoscaling: {enabled: true, metric: busyWorkers, maxReplicas: 4, scaleDownStabilizationSeconds: 45}
        """);
    assertThat(ChildResources.autoscaler(m).getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(45);
    assertThat(ChildResources.autoscaler(MINIMAL).getSpec().getBehavior()).isNull();
  }

  @Test
  void podMonitorScrapesEveryColourOnTheMetricsPortAndNamesTheAppServer() {
    assertThat(ChildResources.wantsPodMonitor(MINIMAL)).as("metrics and the PodMonitor are on by default").isTrue();
    PodMonitor pm = ChildResources.podMonitor(MINIMAL);
    assertThat(pm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(pm.getSpec().selector().getMatchLabels()).isEqualTo(Names.podSelector(MINIMAL.name()))
        .doesNotContainKey(Names.LABEL_COLOR);
    assertThat(pm.getSpec().podMetricsEndpoints()).singleElement().satisfies(e -> {
      assertThat(e.port()).isEqualTo(Names.METRICS_PORT_NAME);
      assertThat(e.path()).isEqualTo("/metrics");
      assertThat(e.relabelings()).singleElement().isEqualTo(new PodMonitor.Relabeling(
          java.util.List.of("__meta_kubernetes_pod_label_app_kubernetes_io_instance"), "appserver", "replace"));
    });
    var off = TestAppServers.model("""
        image: example/app:1
        app: app:app
        metrics: {podMonitor: false}
        """);
    assertThat(ChildResources.wantsPodMonitor(off)).isFalse();
    var noMetrics = TestAppServers.model("""
        image: example/app:1
        app: app:app
        metrics: {enabled: false}
        """);
    assertThat(ChildResources.wantsPodMonitor(noMetrics)).isFalse();
  }
}
