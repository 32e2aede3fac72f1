package dev.appserver.operator.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import dev.appserver.operator.api.v1alpha1.ProbeSpec;
import dev.appserver.operator.api.v1alpha1.ProbesSpec;
import dev.appserver.operator.api.v1alpha1.SecuritySpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pod template: Gunicorn as PID 1 with the rendered configuration, probes and a restricted context. */
public final class PodTemplates {
  /** Seconds the preStop hook waits so endpoints are removed before Gunicorn stops accepting. */
  public static final int PRE_STOP_SECONDS = 5;
  /** Seconds of slack in the termination grace period beyond preStop + graceful timeout. */
  public static final int GRACE_MARGIN_SECONDS = 5;

  /** Set to the worker process count in the container. */
  public static final String WEB_CONCURRENCY = "WEB_CONCURRENCY";

  private static final ObjectMapper JSON = KubernetesJson.MAPPER;

  private PodTemplates() {}

  /**
   * @param podLabels labels of the pod, including the selector labels
   * @param configMapName the ConfigMap holding gunicorn.conf.py for this Deployment
   */
  public static PodTemplateSpec podTemplate(AppServerModel m, Map<String, String> podLabels, String configMapName) {
    AppServerSpec spec = m.spec();
    Map<String, String> labels = new LinkedHashMap<>();
    if (spec.getPodLabels() != null) labels.putAll(spec.getPodLabels());
    labels.putAll(podLabels);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (spec.getPodAnnotations() != null) annotations.putAll(spec.getPodAnnotations());
    annotations.put(Names.ANNOTATION_CONFIG_HASH, m.configHash());
    if (m.envSourcesDigest() != null) annotations.put(Names.ANNOTATION_ENV_SOURCES_HASH, m.envSourcesDigest());
    if (GunicornConfig.metricsEnabled(spec) && !Boolean.FALSE.equals(spec.getMetrics().getScrapeAnnotations())) {
      // Always, not only without the PodMonitor CRD: installing Prometheus Operator later must
      // not roll every pod of every AppServer.
      annotations.putIfAbsent("prometheus.io/scrape", "true");
      annotations.putIfAbsent("prometheus.io/port", String.valueOf(spec.getMetrics().getPort()));
      annotations.putIfAbsent("prometheus.io/path", "/metrics");
    }

    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
        .withNewSpec()
          .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds(spec))
          .withSecurityContext(podSecurityContext(spec.getSecurityContext()))
          .withContainers(container(m))
          .withVolumes(volumes(configMapName))
          .withNodeSelector(spec.getNodeSelector())
          .withTolerations(spec.getTolerations())
          .withAffinity(spec.getAffinity())
          .withTopologySpreadConstraints(spec.getTopologySpreadConstraints())
          .withServiceAccountName(spec.getServiceAccountName())
          .withImagePullSecrets(spec.getImagePullSecrets())
          .withPriorityClassName(spec.getPriorityClassName())
          .withEnableServiceLinks(false)
        .endSpec()
        .build();
  }

  /** preStop pause + Gunicorn's graceful timeout + a margin, so SIGKILL never cuts a request short. */
  public static long terminationGracePeriodSeconds(AppServerSpec spec) {
    return PRE_STOP_SECONDS + spec.getGunicorn().getGracefulTimeoutSeconds() + GRACE_MARGIN_SECONDS;
  }

  /** Gunicorn in exec form, so it is PID 1 and receives SIGTERM itself. */
  public static List<String> command(AppServerSpec spec) {
    List<String> command = new ArrayList<>(List.of("gunicorn", "--config", GunicornConfig.PATH));
    if (spec.getGunicorn().getExtraArgs() != null) command.addAll(spec.getGunicorn().getExtraArgs());
    command.add(spec.getApp());
    return command;
  }

  private static Container container(AppServerModel m) {
    AppServerSpec spec = m.spec();
    List<EnvVar> env = new ArrayList<>();
    if (spec.getEnv() != null) env.addAll(spec.getEnv());
    if (env.stream().noneMatch(e -> "PYTHONUNBUFFERED".equals(e.getName()))) {
      env.add(new EnvVar("PYTHONUNBUFFERED", "1", null));
    }
    // The process count, for libraries and apps that size themselves by it (admission refuses a
    // user-set WEB_CONCURRENCY); Gunicorn itself takes workers from the rendered file.
    env.add(new EnvVar(WEB_CONCURRENCY, Integer.toString(m.sizing().workers()), null));
    ProbesSpec probes = spec.getProbes();
    return new ContainerBuilder()
        .withName(Names.CONTAINER)
        .withImage(spec.getImage())
        .withCommand(command(spec))
        .addNewPort().withName(Names.PORT_NAME).withContainerPort(spec.getPort()).withProtocol("TCP").endPort()
        .addAllToPorts(GunicornConfig.metricsEnabled(spec)
            ? List.of(new ContainerPortBuilder().withName(Names.METRICS_PORT_NAME).withContainerPort(spec.getMetrics().getPort())
                .withProtocol("TCP").build())
            : List.of())
        .withEnv(env)
        .withEnvFrom(spec.getEnvFrom())
        .withResources(spec.getResources())
        .withReadinessProbe(readiness(probes))
        .withLivenessProbe(liveness(probes))
        .withStartupProbe(startup(probes))
        .withNewLifecycle().withNewPreStop().withNewSleep((long) PRE_STOP_SECONDS).endPreStop().endLifecycle()
        .withSecurityContext(containerSecurityContext(spec.getSecurityContext()))
        .withVolumeMounts(volumeMounts())
        .build();
  }

  static Probe readiness(ProbesSpec probes) {
    ProbeSpec o = orEmpty(probes.getReadiness());
    if (Boolean.FALSE.equals(o.getEnabled())) return null;
    return http(path(o, probes.getPath()))
        .withInitialDelaySeconds(omitZero(or(o.getInitialDelaySeconds(), 5)))
        .withPeriodSeconds(or(o.getPeriodSeconds(), 10))
        .withTimeoutSeconds(or(o.getTimeoutSeconds(), 2))
        .withSuccessThreshold(or(o.getSuccessThreshold(), 1))
        .withFailureThreshold(or(o.getFailureThreshold(), 3))
        .build();
  }

  /**
   * TCP by default: the kernel completes the handshake on the master's listening socket even
   * when every sync worker is busy, so a busy pod is not restarted; Gunicorn's own timeout
   * already replaces hung workers. A dead master or listener fails it.
   */
  static Probe liveness(ProbesSpec probes) {
    ProbeSpec o = orEmpty(probes.getLiveness());
    if (Boolean.FALSE.equals(o.getEnabled())) return null;
    ProbeBuilder b = o.getPath() != null
        ? http(o.getPath())
        : new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(Names.PORT_NAME)).endTcpSocket();
    return b.withInitialDelaySeconds(omitZero(or(o.getInitialDelaySeconds(), 0)))
        .withPeriodSeconds(or(o.getPeriodSeconds(), 10))
        .withTimeoutSeconds(or(o.getTimeoutSeconds(), 5))
        .withSuccessThreshold(1)
        .withFailureThreshold(or(o.getFailureThreshold(), 6))
        .build();
  }

  static Probe startup(ProbesSpec probes) {
    ProbeSpec o = orEmpty(probes.getStartup());
    if (Boolean.FALSE.equals(o.getEnabled())) return null;
    return http(path(o, probes.getPath()))
        .withInitialDelaySeconds(omitZero(or(o.getInitialDelaySeconds(), 0)))
        .withPeriodSeconds(or(o.getPeriodSeconds(), 2))
        .withTimeoutSeconds(or(o.getTimeoutSeconds(), 2))
        .withSuccessThreshold(1)
        .withFailureThreshold(or(o.getFailureThreshold(), 60))
        .build();
  }

  private static ProbeBuilder http(String path) {
    return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(Names.PORT_NAME)).endHttpGet();
  }

  private static String path(ProbeSpec o, String fallback) {
    return o.getPath() != null ? o.getPath() : fallback;
  }

  /** The apiserver drops zero-valued optional integers; sending null keeps desired equal to actual. */
  private static Integer omitZero(int value) {
    return value == 0 ? null : value;
  }

  private static ProbeSpec orEmpty(ProbeSpec o) {
    return o == null ? new ProbeSpec() : o;
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static List<VolumeMount> volumeMounts() {
    return List.of(
        new VolumeMountBuilder().withName("gunicorn-config").withMountPath(GunicornConfig.MOUNT_DIR).withReadOnly(true).build(),
        new VolumeMountBuilder().withName("worker-tmp").withMountPath(GunicornConfig.WORKER_TMP_DIR).build(),
        new VolumeMountBuilder().withName("tmp").withMountPath(GunicornConfig.TMP_DIR).build());
  }

  private static List<Volume> volumes(String configMapName) {
    return List.of(
        new VolumeBuilder().withName("gunicorn-config")
            .withNewConfigMap().withName(configMapName).withDefaultMode(0444).endConfigMap().build(),
        new VolumeBuilder().withName("worker-tmp")
            .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("64Mi")).endEmptyDir().build(),
        new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
  }

  static PodSecurityContext podSecurityContext(SecuritySpec overrides) {
    PodSecurityContext defaults = new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
    return merge(defaults, overrides == null ? null : overrides.getPod(), PodSecurityContext.class);
  }

  static SecurityContext containerSecurityContext(SecuritySpec overrides) {
    SecurityContext defaults = new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .build();
    return merge(defaults, overrides == null ? null : overrides.getContainer(), SecurityContext.class);
  }

  /** Each field the user set replaces the default one; the rest of the defaults stay. */
  private static <T> T merge(T defaults, T overrides, Class<T> type) {
    if (overrides == null) return defaults;
    ObjectNode merged = JSON.convertValue(defaults, ObjectNode.class);
    merged.setAll(JSON.convertValue(overrides, ObjectNode.class));
    return JSON.convertValue(merged, type);
  }
}
