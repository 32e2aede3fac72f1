package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import dev.appserver.operator.api.v1alpha1.AutoscalingEngine;
import dev.appserver.operator.api.v1alpha1.AutoscalingMetric;
import dev.appserver.operator.api.v1alpha1.AutoscalingSpec;
import dev.appserver.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.appserver.operator.api.v1alpha1.RollingUpdateSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import dev.appserver.operator.external.PodMonitor;
import dev.appserver.operator.external.ScaledObject;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Desired child resources: pure functions of an {@link AppServerModel}. No client, clock or I/O. */
public final class ChildResources {
  public static final String DEFAULT_MAX_SURGE = "25%";
  public static final int DEFAULT_MAX_UNAVAILABLE = 0;

  private ChildResources() {}

  public static ConfigMap configMap(AppServerModel m, String deploymentName) {
    return new ConfigMapBuilder()
        .withNewMetadata()
          .withName(Names.configMap(deploymentName)).withNamespace(m.namespace())
          .withLabels(Names.commonLabels(m.name()))
        .endMetadata()
        .addToData(GunicornConfig.FILE_NAME, m.gunicornConfig())
        .addToData(GunicornConfig.metricsEnabled(m.spec()) ? Map.of(GunicornConfig.METRICS_FILE_NAME, GunicornConfig.METRICS_MODULE) : Map.of())
        .build();
  }

  /**
   * @param extraSelector labels added to the pod selector (the colour, for blue-green)
   */
  public static Deployment deployment(AppServerModel m, String deploymentName, Map<String, String> extraSelector, int replicas) {
    AppServerSpec spec = m.spec();
    Map<String, String> selector = new LinkedHashMap<>(Names.podSelector(m.name()));
    selector.putAll(extraSelector);
    Map<String, String> labels = new LinkedHashMap<>(Names.commonLabels(m.name()));
    labels.putAll(extraSelector);
    RollingUpdateSpec ru = spec.getStrategy().getRollingUpdate();
    IntOrString maxSurge = ru != null && ru.getMaxSurge() != null ? ru.getMaxSurge() : new IntOrString(DEFAULT_MAX_SURGE);
    IntOrString maxUnavailable = ru != null && ru.getMaxUnavailable() != null
        ? ru.getMaxUnavailable() : new IntOrString(DEFAULT_MAX_UNAVAILABLE);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Names.ANNOTATION_REVISION, m.revision());
    annotations.put(Names.ANNOTATION_SPEC, Revisions.snapshot(spec));
    return new DeploymentBuilder()
        .withNewMetadata()
          .withName(deploymentName).withNamespace(m.namespace()).withLabels(labels).withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withRevisionHistoryLimit(5)
          .withProgressDeadlineSeconds(spec.getStrategy().getProgressDeadlineSeconds())
          .withNewSelector().withMatchLabels(selector).endSelector()
          .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate().withMaxSurge(maxSurge).withMaxUnavailable(maxUnavailable).endRollingUpdate()
          .endStrategy()
          .withTemplate(PodTemplates.podTemplate(m, labels, Names.configMap(deploymentName)))
        .endSpec()
        .build();
  }

  public static Service service(AppServerModel m, String serviceName, Map<String, String> selector) {
    var svc = m.spec().getService();
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(serviceName).withNamespace(m.namespace())
          .withLabels(Names.commonLabels(m.name()))
          .withAnnotations(svc.getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(svc.getAnnotations()))
        .endMetadata()
        .withNewSpec()
          .withType(svc.getType().name())
          .withSelector(selector)
          .addNewPort()
            .withName(Names.PORT_NAME).withProtocol("TCP").withPort(svc.getPort())
            .withTargetPort(new IntOrString(Names.PORT_NAME))
          .endPort()
        .endSpec()
        .build();
  }

  /**
   * The preview Service: ClusterIP with none of spec.service's annotations, whatever the main
   * Service's type, so a colour being brought up never gets a load balancer of its own.
   */
  public static Service previewService(AppServerModel m, Map<String, String> selector) {
    Service s = service(m, Names.previewService(m.name()), selector);
    s.getSpec().setType("ClusterIP");
    s.getMetadata().setAnnotations(new LinkedHashMap<>());
    return s;
  }

  public static boolean wantsDisruptionBudget(AppServerModel m) {
    return Boolean.TRUE.equals(m.spec().getDisruptionBudget().getEnabled());
  }

  /** The budget's shape, whether or not it is wanted (its identity is needed to delete it). */
  /** The budget over every pod of the AppServer (RollingUpdate). */
  public static PodDisruptionBudget disruptionBudget(AppServerModel m) {
    return disruptionBudget(m, Names.podSelector(m.name()));
  }

  /**
   * The budget over the serving pods: {@code servingSelector} is the Service's selector, so under
   * BlueGreen it covers the active colour only. The colour coming up (whose unready pods would use
   * up the budget) and the old colour winding down are left out, and the budget moves with the
   * Service at the switch.
   */
  public static PodDisruptionBudget disruptionBudget(AppServerModel m, Map<String, String> servingSelector) {
    DisruptionBudgetSpec pdb = m.spec().getDisruptionBudget();
    IntOrString maxUnavailable = pdb.getMinAvailable() == null && pdb.getMaxUnavailable() == null
        ? new IntOrString(1) : pdb.getMaxUnavailable();
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
          .withName(Names.disruptionBudget(m.name())).withNamespace(m.namespace())
          .withLabels(Names.commonLabels(m.name()))
        .endMetadata()
        .withNewSpec()
          .withNewSelector().withMatchLabels(new LinkedHashMap<>(servingSelector)).endSelector()
          .withMinAvailable(pdb.getMinAvailable())
          .withMaxUnavailable(maxUnavailable)
        .endSpec()
        .build();
  }

  public static boolean wantsAutoscaler(AppServerModel m) {
    return autoscalingOn(m) && m.spec().getAutoscaling().getEngine() != AutoscalingEngine.KEDA;
  }

  /** Autoscaling by KEDA: the operator writes a ScaledObject and no HorizontalPodAutoscaler of its own. */
  public static boolean wantsScaledObject(AppServerModel m) {
    return autoscalingOn(m) && m.spec().getAutoscaling().getEngine() == AutoscalingEngine.KEDA;
  }

  /**
   * KEDA is asked for and its trigger can be written: busyWorkers needs the Prometheus that
   * scrapes the pods.
   */
  public static boolean scaledObjectPossible(AppServerModel m, boolean prometheusKnown) {
    return wantsScaledObject(m) && (prometheusKnown || m.spec().getAutoscaling().getMetric() != AutoscalingMetric.BUSY_WORKERS);
  }

  private static boolean autoscalingOn(AppServerModel m) {
    return Boolean.TRUE.equals(m.spec().getAutoscaling().getEnabled());
  }

  /** A PodMonitor is asked for (it is written only where the cluster has Prometheus Operator's CRD). */
  public static boolean wantsPodMonitor(AppServerModel m) {
    return GunicornConfig.metricsEnabled(m.spec()) && !Boolean.FALSE.equals(m.spec().getMetrics().getPodMonitor());
  }

  /** The label that names the AppServer on every scraped series (PodMonitor relabeling, docs' scrape config). */
  public static final String METRICS_APPSERVER_LABEL = "appserver";

  /**
   * Scrapes every pod of the AppServer (both colours) on the metrics port, labelling the series
   * with namespace, pod and appserver, the labels the busyWorkers queries select on.
   */
  public static PodMonitor podMonitor(AppServerModel m) {
    PodMonitor pm = new PodMonitor();
    pm.setMetadata(new ObjectMetaBuilder()
        .withName(Names.podMonitor(m.name())).withNamespace(m.namespace())
        .withLabels(Names.commonLabels(m.name()))
        .build());
    pm.setSpec(new PodMonitor.Spec(
        new LabelSelectorBuilder().withMatchLabels(new LinkedHashMap<>(Names.podSelector(m.name()))).build(),
        List.of(new PodMonitor.Endpoint(Names.METRICS_PORT_NAME, "/metrics", List.of(
            new PodMonitor.Relabeling(List.of("__meta_kubernetes_pod_label_" + promLabel(Names.LABEL_INSTANCE)),
                METRICS_APPSERVER_LABEL, "replace"))))));
    return pm;
  }

  private static String promLabel(String k8sLabel) {
    return k8sLabel.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  /**
   * The Prometheus query KEDA's trigger runs for busyWorkers: the busiest minute of each pod,
   * averaged over the pods, so KEDA's HPA computes replicas x average / target as ours does.
   */
  public static String busyQuery(AppServerModel m) {
    return "avg(max_over_time(" + AutoscalingSpec.BUSY_METRIC + "{namespace=\"" + m.namespace() + "\","
        + METRICS_APPSERVER_LABEL + "=\"" + m.name() + "\"}[1m]))";
  }

  /**
   * KEDA's ScaledObject for the AppServer's scale subresource.
   *
   * @param prometheusUrl the Prometheus KEDA queries for busyWorkers (the operator's setting)
   */
  public static ScaledObject scaledObject(AppServerModel m, String prometheusUrl) {
    AutoscalingSpec as = m.spec().getAutoscaling();
    ScaledObject.Trigger trigger = as.getMetric() == AutoscalingMetric.BUSY_WORKERS
        ? new ScaledObject.Trigger("prometheus", "Value", new LinkedHashMap<>(Map.of(
            "serverAddress", prometheusUrl,
            "query", busyQuery(m),
            "threshold", ratio(as.getTargetBusyPercent()))))
        : new ScaledObject.Trigger("cpu", "Utilization",
            new LinkedHashMap<>(Map.of("value", String.valueOf(as.getTargetCPUUtilizationPercentage()))));
    ScaledObject so = new ScaledObject();
    so.setMetadata(new ObjectMetaBuilder()
        .withName(Names.autoscaler(m.name())).withNamespace(m.namespace())
        .withLabels(Names.commonLabels(m.name()))
        .build());
    so.setSpec(new ScaledObject.Spec(
        new ScaledObject.ScaleTarget(AppServer.GROUP + "/" + AppServer.VERSION, "AppServer", m.name()),
        KEDA_POLLING_SECONDS,
        as.getMinReplicas(), as.getMaxReplicas(),
        behavior(as) == null ? null : new ScaledObject.Advanced(new ScaledObject.HpaConfig(behavior(as))),
        List.of(trigger)));
    return so;
  }

  /** How often KEDA asks Prometheus: as often as the HPA controller reads its metrics (15 s by default). */
  public static final int KEDA_POLLING_SECONDS = 15;

  private static String ratio(int percent) {
    return java.math.BigDecimal.valueOf(percent, 2).stripTrailingZeros().toPlainString();
  }

  private static HorizontalPodAutoscalerBehavior behavior(AutoscalingSpec as) {
    if (as.getScaleDownStabilizationSeconds() == null) return null;
    return new HorizontalPodAutoscalerBehaviorBuilder()
        .withNewScaleDown().withStabilizationWindowSeconds(as.getScaleDownStabilizationSeconds()).endScaleDown()
        .build();
  }

  /** The autoscaler scales the AppServer itself (its scale subresource), so it follows blue-green colours. */
  public static HorizontalPodAutoscaler autoscaler(AppServerModel m) {
    AutoscalingSpec as = m.spec().getAutoscaling();
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
          .withName(Names.autoscaler(m.name())).withNamespace(m.namespace())
          .withLabels(Names.commonLabels(m.name()))
        .endMetadata()
        .withNewSpec()
          .withNewScaleTargetRef()
            .withApiVersion(AppServer.GROUP + "/" + AppServer.VERSION).withKind("AppServer").withName(m.name())
          .endScaleTargetRef()
          .withMinReplicas(as.getMinReplicas())
          .withMaxReplicas(as.getMaxReplicas())
          .withMetrics(as.getMetric() == AutoscalingMetric.BUSY_WORKERS ? busyMetric(as) : cpuMetric(as))
          .withBehavior(behavior(as))
        .endSpec()
        .build();
  }

  private static MetricSpec cpuMetric(AutoscalingSpec as) {
    return new MetricSpecBuilder()
        .withType("Resource")
        .withNewResource()
          .withName("cpu")
          .withNewTarget().withType("Utilization").withAverageUtilization(as.getTargetCPUUtilizationPercentage()).endTarget()
        .endResource()
        .build();
  }

  /** Each pod's busy ratio, averaged over the pods: 70 % is an average value of 700m. */
  private static MetricSpec busyMetric(AutoscalingSpec as) {
    return new MetricSpecBuilder()
        .withType("Pods")
        .withNewPods()
          .withNewMetric().withName(AutoscalingSpec.BUSY_METRIC).endMetric()
          .withNewTarget().withType("AverageValue").withAverageValue(new Quantity(as.getTargetBusyPercent() * 10 + "m")).endTarget()
        .endPods()
        .build();
  }
}
