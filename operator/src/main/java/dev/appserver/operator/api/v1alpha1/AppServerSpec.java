package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.env) || self.env.all(e, e.name != 'WEB_CONCURRENCY')",
    message = "spec.env must not set WEB_CONCURRENCY: the operator sets it to the number of Gunicorn worker processes; use spec.workers",
    fieldPath = ".env")
@ValidationRule(
    value = "!has(self.env) || self.env.all(e, e.name != 'GUNICORN_CMD_ARGS')",
    message = "spec.env must not set GUNICORN_CMD_ARGS: it overrides the generated Gunicorn configuration; use spec.gunicorn (or spec.gunicorn.extraArgs)",
    fieldPath = ".env")
@ValidationRule(
    value = "!has(self.autoscaling) || !self.autoscaling.enabled || (has(self.autoscaling.metric) && self.autoscaling.metric == 'busyWorkers') || (has(self.resources) && ((has(self.resources.requests) && 'cpu' in self.resources.requests) || (has(self.resources.limits) && 'cpu' in self.resources.limits)))",
    message = "spec.autoscaling needs a CPU request (spec.resources.requests.cpu or spec.resources.limits.cpu): CPU utilisation is measured against it",
    fieldPath = ".autoscaling")
@ValidationRule(
    value = "!has(self.autoscaling) || !has(self.autoscaling.metric) || self.autoscaling.metric != 'busyWorkers' || !has(self.metrics) || !has(self.metrics.enabled) || self.metrics.enabled",
    message = "spec.autoscaling.metric busyWorkers reads the pods' Gunicorn metrics: it needs spec.metrics.enabled",
    fieldPath = ".autoscaling.metric")
@ValidationRule(
    value = "!has(self.metrics) || !has(self.metrics.port) || self.metrics.port != (has(self.port) ? self.port : 8000)",
    message = "spec.metrics.port must differ from spec.port, where Gunicorn serves the application",
    fieldPath = ".metrics.port")
@ValidationRule(
    value = "!has(self.resources) || ((!has(self.resources.limits) || ['cpu', 'memory'].all(k, !(k in self.resources.limits) || isQuantity(string(self.resources.limits[k])))) && (!has(self.resources.requests) || ['cpu', 'memory'].all(k, !(k in self.resources.requests) || isQuantity(string(self.resources.requests[k])))))",
    message = "spec.resources: cpu and memory must be quantities such as 500m, 2 or 512Mi",
    fieldPath = ".resources")
@ValidationRule(
    value = "!has(self.resources) || !has(self.resources.limits) || !has(self.resources.requests) || ['cpu', 'memory'].all(k, !(k in self.resources.limits) || !(k in self.resources.requests) || !isQuantity(string(self.resources.limits[k])) || !isQuantity(string(self.resources.requests[k])) || quantity(string(self.resources.requests[k])).compareTo(quantity(string(self.resources.limits[k]))) <= 0)",
    message = "spec.resources.requests must not exceed spec.resources.limits (cpu, memory)",
    fieldPath = ".resources")
public class AppServerSpec {

  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Container image holding the application and Gunicorn (for example registry.example.com/shop/web:1.4.2).")
  private String image;

  @Required
  @Pattern("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*(\\(.*\\))?$")
  @JsonPropertyDescription("WSGI (or, with workers.workerClass uvicorn, ASGI) entry point as module:callable, for example app:app or shop.wsgi:application; an application factory call such as app:create_app() is accepted too.")
  private String app;

  @Default("8000")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port Gunicorn binds to inside the container. Default 8000.")
  private Integer port;

  @SpecReplicas
  @Default("2")
  @Min(0)
  @JsonPropertyDescription("Number of pods. Default 2. Also reachable through the scale subresource (kubectl scale, a HorizontalPodAutoscaler); leave it out of applied manifests when spec.autoscaling is enabled.")
  private Integer replicas;

  @JsonPropertyDescription("CPU and memory for the application container. The Gunicorn worker count is computed from the CPU limit (or request), never from the node's core count.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Environment variables for the application container.")
  private List<EnvVar> env;

  @JsonPropertyDescription("Sources (ConfigMaps, Secrets) of environment variables for the application container.")
  private List<EnvFromSource> envFrom;

  @Default("true")
  @JsonPropertyDescription("Roll the pods when a ConfigMap or Secret that env or envFrom reads changes, as for any other change (a digest of their content goes on the pod template; both update strategies). Default true; false leaves running pods alone until something else rolls them. See docs/configuration.md.")
  private Boolean rollOnEnvSourceChange;

  @JsonPropertyDescription("Extra labels for the pods. The operator's own labels (app.kubernetes.io/*, appserver.dev/*) take precedence.")
  private Map<String, String> podLabels;

  @JsonPropertyDescription("Extra annotations for the pods.")
  private Map<String, String> podAnnotations;

  @Default("{}")
  @JsonPropertyDescription("How many Gunicorn workers to run and of which kind.")
  private WorkersSpec workers;

  @Default("{}")
  @JsonPropertyDescription("Gunicorn settings. Every field has a production default; see docs/configuration.md.")
  private GunicornSpec gunicorn;

  @Default("{}")
  @JsonPropertyDescription("Readiness, liveness and startup probes.")
  private ProbesSpec probes;

  @Default("{}")
  @JsonPropertyDescription("The Service in front of the pods.")
  private ServiceSpec service;

  @Default("{}")
  @JsonPropertyDescription("The PodDisruptionBudget protecting the pods during node drains.")
  private DisruptionBudgetSpec disruptionBudget;

  @Default("{}")
  @JsonPropertyDescription("Horizontal autoscaling on CPU utilisation or on Gunicorn's busy workers. Off by default.")
  private AutoscalingSpec autoscaling;

  @Default("{}")
  @JsonPropertyDescription("Gunicorn's saturation metrics from every pod, and how Prometheus finds them. On by default.")
  private MetricsSpec metrics;

  @Default("{}")
  @JsonPropertyDescription("How pod template changes are rolled out.")
  private StrategySpec strategy;

  @JsonPropertyDescription("Node labels the pods must match (pod spec nodeSelector).")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Pod tolerations (pod spec tolerations).")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Pod affinity and anti-affinity (pod spec affinity).")
  private Affinity affinity;

  @JsonPropertyDescription("Pod topology spread constraints (pod spec topologySpreadConstraints).")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("Service account the pods run as.")
  private String serviceAccountName;

  @JsonPropertyDescription("Secrets used to pull the image.")
  private List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription("Priority class of the pods.")
  private String priorityClassName;

  @JsonPropertyDescription("Overrides for the restricted pod and container security contexts the operator sets by default.")
  private SecuritySpec securityContext;

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public String getApp() { return app; }
  public void setApp(String app) { this.app = app; }
  public Integer getPort() { return port; }
  public void setPort(Integer port) { this.port = port; }
  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public ResourceRequirements getResources() { return resources; }
  public void setResources(ResourceRequirements resources) { this.resources = resources; }
  public List<EnvVar> getEnv() { return env; }
  public void setEnv(List<EnvVar> env) { this.env = env; }
  public List<EnvFromSource> getEnvFrom() { return envFrom; }
  public void setEnvFrom(List<EnvFromSource> envFrom) { this.envFrom = envFrom; }
  public Boolean getRollOnEnvSourceChange() { return rollOnEnvSourceChange; }
  public void setRollOnEnvSourceChange(Boolean rollOnEnvSourceChange) { this.rollOnEnvSourceChange = rollOnEnvSourceChange; }
  public Map<String, String> getPodLabels() { return podLabels; }
  public void setPodLabels(Map<String, String> podLabels) { this.podLabels = podLabels; }
  public Map<String, String> getPodAnnotations() { return podAnnotations; }
  public void setPodAnnotations(Map<String, String> podAnnotations) { this.podAnnotations = podAnnotations; }
  public WorkersSpec getWorkers() { return workers; }
  public void setWorkers(WorkersSpec workers) { this.workers = workers; }
  public GunicornSpec getGunicorn() { return gunicorn; }
  public void setGunicorn(GunicornSpec gunicorn) { this.gunicorn = gunicorn; }
  public ProbesSpec getProbes() { return probes; }
  public void setProbes(ProbesSpec probes) { this.probes = probes; }
  public ServiceSpec getService() { return service; }
  public void setService(ServiceSpec service) { this.service = service; }
  public DisruptionBudgetSpec getDisruptionBudget() { return disruptionBudget; }
  public void setDisruptionBudget(DisruptionBudgetSpec disruptionBudget) { this.disruptionBudget = disruptionBudget; }
  public MetricsSpec getMetrics() { return metrics; }
  public void setMetrics(MetricsSpec metrics) { this.metrics = metrics; }
  public AutoscalingSpec getAutoscaling() { return autoscaling; }
  public void setAutoscaling(AutoscalingSpec autoscaling) { this.autoscaling = autoscaling; }
  public StrategySpec getStrategy() { return strategy; }
  public void setStrategy(StrategySpec strategy) { this.strategy = strategy; }
  public Map<String, String> getNodeSelector() { return nodeSelector; }
  public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
  public List<Toleration> getTolerations() { return tolerations; }
  public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
  public Affinity getAffinity() { return affinity; }
  public void setAffinity(Affinity affinity) { this.affinity = affinity; }
  public List<TopologySpreadConstraint> getTopologySpreadConstraints() { return topologySpreadConstraints; }
  public void setTopologySpreadConstraints(List<TopologySpreadConstraint> c) { this.topologySpreadConstraints = c; }
  public String getServiceAccountName() { return serviceAccountName; }
  public void setServiceAccountName(String serviceAccountName) { this.serviceAccountName = serviceAccountName; }
  public List<LocalObjectReference> getImagePullSecrets() { return imagePullSecrets; }
  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) { this.imagePullSecrets = imagePullSecrets; }
  public String getPriorityClassName() { return priorityClassName; }
  public void setPriorityClassName(String priorityClassName) { this.priorityClassName = priorityClassName; }
  public SecuritySpec getSecurityContext() { return securityContext; }
  public void setSecurityContext(SecuritySpec securityContext) { this.securityContext = securityContext; }
}
