package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Child;
import dev.appserver.operator.model.rollout.Color;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

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

  abstract static class PlannedDeployment extends CRUDKubernetesDependentResource<Deployment, AppServer> {
    private final Child child;
    private final Color color;

    PlannedDeployment(Child child, Color color) {
      this.child = child;
      this.color = color;
    }

    @Override
    protected Deployment desired(AppServer primary, Context<AppServer> context) {
      var in = ModelDependent.inputs(context);
      if (child.wanted(in)) return ModelDependent.owned(primary, child.desired(in, Deployment.class));
      // Its identity only, for the delete.
      return new DeploymentBuilder().withNewMetadata()
          .withName(Child.deploymentName(primary.getMetadata().getName(), color))
          .withNamespace(primary.getMetadata().getNamespace()).endMetadata().build();
    }
  }

  abstract static class PlannedConfigMap extends CRUDKubernetesDependentResource<ConfigMap, AppServer> {
    private final Child child;
    private final Color color;

    PlannedConfigMap(Child child, Color color) {
      this.child = child;
      this.color = color;
    }

    @Override
    protected ConfigMap desired(AppServer primary, Context<AppServer> context) {
      var in = ModelDependent.inputs(context);
      if (child.wanted(in)) return ModelDependent.owned(primary, child.desired(in, ConfigMap.class));
      return new ConfigMapBuilder().withNewMetadata()
          .withName(Names.configMap(Child.deploymentName(primary.getMetadata().getName(), color)))
          .withNamespace(primary.getMetadata().getNamespace()).endMetadata().build();
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

  /** A Deployment's precondition, which its ConfigMap shares: the plan keeps that Deployment. */
  abstract static class Planned<R extends io.fabric8.kubernetes.api.model.HasMetadata> implements Condition<R, AppServer> {
    private final Child deployment;

    Planned(Child deployment) {
      this.deployment = deployment;
    }

    @Override
    public boolean isMet(DependentResource<R, AppServer> dependent, AppServer primary, Context<AppServer> context) {
      return deployment.wanted(ModelDependent.inputs(context));
    }
  }

  public static class RollingDeployment extends PlannedDeployment { public RollingDeployment() { super(Child.DEPLOYMENT, null); } }
  public static class BlueDeployment extends PlannedDeployment { public BlueDeployment() { super(Child.DEPLOYMENT_BLUE, Color.BLUE); } }
  public static class GreenDeployment extends PlannedDeployment { public GreenDeployment() { super(Child.DEPLOYMENT_GREEN, Color.GREEN); } }
  public static class RollingConfigMap extends PlannedConfigMap { public RollingConfigMap() { super(Child.CONFIG, null); } }
  public static class BlueConfigMap extends PlannedConfigMap { public BlueConfigMap() { super(Child.CONFIG_BLUE, Color.BLUE); } }
  public static class GreenConfigMap extends PlannedConfigMap { public GreenConfigMap() { super(Child.CONFIG_GREEN, Color.GREEN); } }

  public static class RollingPlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public RollingPlanned() { super(Child.DEPLOYMENT); } }
  public static class BluePlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public BluePlanned() { super(Child.DEPLOYMENT_BLUE); } }
  public static class GreenPlanned<R extends io.fabric8.kubernetes.api.model.HasMetadata> extends Planned<R> { public GreenPlanned() { super(Child.DEPLOYMENT_GREEN); } }
}
