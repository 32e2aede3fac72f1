package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.ChildResources;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Color;
import dev.appserver.operator.model.rollout.Plan.DeploymentTarget;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployments a plan may ask for (the plain one of RollingUpdate, and blue and green) and
 * their Gunicorn ConfigMaps: one thin dependent each. A Deployment the plan leaves out is
 * deleted, with its ConfigMap; each is built from its own spec snapshot, so keeping a colour as
 * it is costs no write.
 */
public final class PlannedDeployments {
  public static final String DEPLOYMENTS = "deployments";
  public static final String CONFIG_MAPS = "configmaps";

  private PlannedDeployments() {}

  static String deploymentName(AppServer primary, Color color) {
    return color == null ? primary.getMetadata().getName() : Names.colorDeployment(primary.getMetadata().getName(), color.label());
  }

  static Optional<DeploymentTarget> target(AppServer primary, Context<AppServer> context, Color color) {
    return ModelDependent.plan(context).deployment(deploymentName(primary, color));
  }

  abstract static class PlannedDeployment extends CRUDKubernetesDependentResource<Deployment, AppServer> {
    private final Color color;

    PlannedDeployment(Color color) {
      this.color = color;
    }

    @Override
    protected Deployment desired(AppServer primary, Context<AppServer> context) {
      return target(primary, context, color)
          .map(t -> ChildResources.deployment(t.model(), t.name(),
              color == null ? Map.of() : Map.of(Names.LABEL_COLOR, color.label()), t.replicas()))
          .map(d -> ModelDependent.owned(primary, d))
          .orElseGet(() -> new DeploymentBuilder().withNewMetadata()
              .withName(deploymentName(primary, color)).withNamespace(primary.getMetadata().getNamespace()).endMetadata().build());
    }
  }

  abstract static class PlannedConfigMap extends CRUDKubernetesDependentResource<ConfigMap, AppServer> {
    private final Color color;

    PlannedConfigMap(Color color) {
      this.color = color;
    }

    @Override
    protected ConfigMap desired(AppServer primary, Context<AppServer> context) {
      return target(primary, context, color)
          .map(t -> ModelDependent.owned(primary, ChildResources.configMap(t.model(), t.name())))
          .orElseGet(() -> new ConfigMapBuilder().withNewMetadata()
              .withName(Names.configMap(deploymentName(primary, color))).withNamespace(primary.getMetadata().getNamespace())
              .endMetadata().build());
    }

    /**
     * The cache holds digests of the data ({@link TrimmedStore}), so the SSA match compares
     * digests on both sides; a ConfigMap just written (held whole until its event arrives) is
     * digested here too. An update still applies the real desired ConfigMap.
     */
    @Override
    public Result<ConfigMap> match(ConfigMap actual, ConfigMap desired, AppServer primary, Context<AppServer> context) {
      boolean matched = super.match(TrimmedStore.digestData(actual), TrimmedStore.digestData(desired), primary, context).matched();
      return Result.computed(matched, desired);
    }
  }

  abstract static class Planned<R extends io.fabric8.kubernetes.api.model.HasMetadata> implements Condition<R, AppServer> {
    private final Color color;

    Planned(Color color) {
      this.color = color;
    }

    @Override
    public boolean isMet(DependentResource<R, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return target(primary, context, color).isPresent();
    }
  }

  public static class RollingDeployment extends PlannedDeployment { public RollingDeployment() { super(null); } }
  public static class BlueDeployment extends PlannedDeployment { public BlueDeployment() { super(Color.BLUE); } }
  public static class GreenDeployment extends PlannedDeployment { public GreenDeployment() { super(Color.GREEN); } }
  public static class RollingConfigMap extends PlannedConfigMap { public RollingConfigMap() { super(null); } }
  public static class BlueConfigMap extends PlannedConfigMap { public BlueConfigMap() { super(Color.BLUE); } }
  public static class GreenConfigMap extends PlannedConfigMap { public GreenConfigMap() { super(Color.GREEN); } }

  public static class RollingPlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public RollingPlanned() { super(null); } }
  public static class BluePlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public BluePlanned() { super(Color.BLUE); } }
  public static class GreenPlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public GreenPlanned() { super(Color.GREEN); } }
}
