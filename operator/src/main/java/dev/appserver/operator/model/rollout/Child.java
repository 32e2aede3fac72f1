package dev.appserver.operator.model.rollout;

import dev.appserver.operator.external.PodMonitor;
import dev.appserver.operator.external.ScaledObject;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every child an AppServer can have, in apply order: its name in the reconciler's workflow, its
 * kind, when a plan wants it and how it is built ({@link ChildResources}). Render and the
 * reconciler's dependents both read this list; the workflow annotation must name the same
 * dependents in the same order (WorkflowChildrenTest).
 */
public enum Child {
  CONFIG("config", ConfigMap.class, false, in -> in.target(null).isPresent(), in -> in.configMap(null)),
  DEPLOYMENT("deployment", Deployment.class, false, in -> in.target(null).isPresent(), in -> in.deployment(null)),
  CONFIG_BLUE("config-blue", ConfigMap.class, false, in -> in.target(Color.BLUE).isPresent(), in -> in.configMap(Color.BLUE)),
  DEPLOYMENT_BLUE("deployment-blue", Deployment.class, false, in -> in.target(Color.BLUE).isPresent(),
      in -> in.deployment(Color.BLUE)),
  CONFIG_GREEN("config-green", ConfigMap.class, false, in -> in.target(Color.GREEN).isPresent(),
      in -> in.configMap(Color.GREEN)),
  DEPLOYMENT_GREEN("deployment-green", Deployment.class, false, in -> in.target(Color.GREEN).isPresent(),
      in -> in.deployment(Color.GREEN)),
  SERVICE("service", Service.class, false, in -> true,
      in -> ChildResources.service(in.model(), Names.service(in.model().name()), in.plan().serviceSelector())),
  /** BlueGreen: the colour being brought up, for the pre-promotion check and people. */
  PREVIEW_SERVICE("preview", Service.class, false, in -> in.plan().previewSelector() != null,
      in -> ChildResources.previewService(in.model(),
          in.plan().previewSelector() == null ? Names.podSelector(in.model().name()) : in.plan().previewSelector())),
  DISRUPTION_BUDGET("pdb", PodDisruptionBudget.class, false, in -> ChildResources.wantsDisruptionBudget(in.model()),
      in -> ChildResources.disruptionBudget(in.model(), in.plan().serviceSelector())),
  AUTOSCALER("hpa", HorizontalPodAutoscaler.class, false, in -> ChildResources.wantsAutoscaler(in.model()),
      in -> ChildResources.autoscaler(in.model())),
  SCALED_OBJECT("scaledobject", ScaledObject.class, true,
      in -> ChildResources.scaledObjectPossible(in.model(), in.prometheusUrl().isPresent()),
      in -> ChildResources.scaledObject(in.model(), in.prometheusUrl().orElse(""))),
  POD_MONITOR("podmonitor", PodMonitor.class, true, in -> ChildResources.wantsPodMonitor(in.model()),
      in -> ChildResources.podMonitor(in.model()));

  /**
   * What the children are built from.
   *
   * @param prometheusUrl the Prometheus the operator was given, which KEDA's busyWorkers trigger queries
   */
  public record Inputs(AppServerModel model, Plan plan, Optional<String> prometheusUrl) {
    Optional<Plan.DeploymentTarget> target(Color color) {
      return plan.deployment(deploymentName(model.name(), color));
    }

    ConfigMap configMap(Color color) {
      var t = target(color).orElseThrow();
      return ChildResources.configMap(t.model(), t.name());
    }

    Deployment deployment(Color color) {
      var t = target(color).orElseThrow();
      return ChildResources.deployment(t.model(), t.name(),
          color == null ? Map.of() : Map.of(Names.LABEL_COLOR, color.label()), t.replicas());
    }
  }

  private final String dependentName;
  private final Class<? extends HasMetadata> kind;
  private final boolean otherProjectsKind;
  private final Predicate<Inputs> wanted;
  private final Function<Inputs, HasMetadata> build;

  Child(String dependentName, Class<? extends HasMetadata> kind, boolean otherProjectsKind, Predicate<Inputs> wanted,
      Function<Inputs, HasMetadata> build) {
    this.dependentName = dependentName;
    this.kind = kind;
    this.otherProjectsKind = otherProjectsKind;
    this.wanted = wanted;
    this.build = build;
  }

  /** The Deployment of a colour, or the plain one of RollingUpdate ({@code color} null). */
  public static String deploymentName(String appServer, Color color) {
    return color == null ? appServer : Names.colorDeployment(appServer, color.label());
  }

  /** The name of the reconciler's dependent that applies this child. */
  public String dependentName() {
    return dependentName;
  }

  public Class<? extends HasMetadata> kind() {
    return kind;
  }

  /** Another project's kind (KEDA, Prometheus Operator): written only where the cluster serves it. */
  public boolean otherProjectsKind() {
    return otherProjectsKind;
  }

  public boolean wanted(Inputs in) {
    return wanted.test(in);
  }

  /** The child as the inputs want it; only for a child that is {@link #wanted}. */
  public <R extends HasMetadata> R desired(Inputs in, Class<R> type) {
    return type.cast(build.apply(in));
  }

  public HasMetadata desired(Inputs in) {
    return build.apply(in);
  }
}
