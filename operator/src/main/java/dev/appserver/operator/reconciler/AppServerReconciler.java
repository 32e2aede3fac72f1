package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.ops.OperatorMetrics;
import dev.appserver.operator.reconciler.StatusAggregator.Problem;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, validate, compute, apply, report. The workflow of dependents (one per child kind,
 * applied with server-side apply, matched against managedFields so an unchanged world costs no
 * write) runs only for a valid spec: an invalid edit leaves every running child as it was and
 * says why in a Degraded condition and an Event.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "config", type = GunicornConfigMapDependent.class),
      @Dependent(name = "deployment", type = DeploymentDependent.class, dependsOn = "config"),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(name = "pdb", type = DisruptionBudgetDependent.class, reconcilePrecondition = DisruptionBudgetDependent.Enabled.class),
      @Dependent(name = "hpa", type = AutoscalerDependent.class, reconcilePrecondition = AutoscalerDependent.Enabled.class)
    })
@ControllerConfiguration(name = AppServerReconciler.NAME)
public class AppServerReconciler implements Reconciler<AppServer> {
  public static final String NAME = Names.OPERATOR;
  private static final Logger log = LoggerFactory.getLogger(AppServerReconciler.class);

  private final AppServerValidator validator;
  private final EventRecorder events;
  private final Clock clock;
  private final OperatorMetrics metrics;

  public AppServerReconciler(AppServerValidator validator, EventRecorder events, Clock clock) {
    this(validator, events, clock, OperatorMetrics.NOOP);
  }

  public AppServerReconciler(AppServerValidator validator, EventRecorder events, Clock clock, OperatorMetrics metrics) {
    this.validator = validator;
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<AppServer> reconcile(AppServer resource, Context<AppServer> context) {
    var outcome = validator.validate(resource);
    Deployment deployment = servingDeployment(resource, context);
    if (!outcome.valid()) {
      var problem = new Problem("InvalidSpec", outcome.message());
      var status = StatusAggregator.aggregate(resource, null, deployment, problem, Instant.now(clock));
      if (!Objects.equals(previousMessage(resource), status.getMessage())) {
        events.record(resource, EventRecorder.WARNING, "InvalidSpec", outcome.message());
      }
      return patchIfChanged(resource, status);
    }
    AppServerModel model = outcome.model();
    ModelDependent.put(context, model);
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()
        .throwAggregateExceptionIfErrorsPresent();
    deployment = servingDeployment(resource, context);
    var status = StatusAggregator.aggregate(resource, model, deployment, null, Instant.now(clock));
    recordTransitions(resource, status);
    return patchIfChanged(resource, status);
  }

  @Override
  public ErrorStatusUpdateControl<AppServer> updateErrorStatus(AppServer resource, Context<AppServer> context, Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) cause = cause.getCause();
    String message = "applying the child resources failed: " + cause.getMessage();
    log.warn("Reconcile of {}/{} failed: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), message);
    var outcome = validator.validate(resource);
    var status = StatusAggregator.aggregate(resource, outcome.model(), servingDeployment(resource, context),
        new Problem("ApplyFailed", message), Instant.now(clock));
    if (!Objects.equals(previousMessage(resource), status.getMessage())) {
      events.record(resource, EventRecorder.WARNING, "ApplyFailed", message);
    }
    if (Objects.equals(resource.getStatus(), status)) return ErrorStatusUpdateControl.defaultErrorProcessing();
    return ErrorStatusUpdateControl.patchStatus(statusOnly(resource, status));
  }

  private static Deployment servingDeployment(AppServer resource, Context<AppServer> context) {
    var id = new ResourceID(resource.getMetadata().getName(), resource.getMetadata().getNamespace());
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(d -> ResourceID.fromResource(d).equals(id))
        .findFirst().orElse(null);
  }

  private void recordTransitions(AppServer resource, AppServerStatus now) {
    AppServerStatus before = resource.getStatus() == null ? new AppServerStatus() : resource.getStatus();
    if (!Objects.equals(before.getWorkers(), now.getWorkers()) || !Objects.equals(before.getThreads(), now.getThreads())) {
      events.record(resource, EventRecorder.NORMAL, "Sized",
          now.getWorkers() + " Gunicorn workers per pod (" + now.getSizing() + ")");
    }
    String desiredBefore = before.getReady() == null ? null : before.getReady().substring(before.getReady().indexOf('/') + 1);
    String desiredNow = now.getReady().substring(now.getReady().indexOf('/') + 1);
    if (desiredBefore != null && !desiredBefore.equals(desiredNow)) {
      events.record(resource, EventRecorder.NORMAL, "Scaled", "replicas " + desiredBefore + " -> " + desiredNow);
    }
    boolean wasProgressing = Conditions.isTrue(before.getConditions(), Conditions.PROGRESSING);
    boolean isProgressing = Conditions.isTrue(now.getConditions(), Conditions.PROGRESSING);
    if (wasProgressing && !isProgressing && "Ready".equals(now.getPhase())) {
      events.record(resource, EventRecorder.NORMAL, "RolledOut", "rollout complete: " + now.getMessage());
    }
    boolean wasDegraded = Conditions.isTrue(before.getConditions(), Conditions.DEGRADED);
    if (!wasDegraded && Conditions.isTrue(now.getConditions(), Conditions.DEGRADED)) {
      events.record(resource, EventRecorder.WARNING, "RolloutStalled", now.getMessage());
    }
  }

  private static String previousMessage(AppServer resource) {
    return resource.getStatus() == null ? null : resource.getStatus().getMessage();
  }

  private UpdateControl<AppServer> patchIfChanged(AppServer resource, AppServerStatus status) {
    if (status.getWorkers() != null) {
      metrics.workers(resource.getMetadata().getNamespace(), resource.getMetadata().getName(), status.getWorkers());
    }
    if (Objects.equals(resource.getStatus(), status)) return UpdateControl.noUpdate();
    return UpdateControl.patchStatus(statusOnly(resource, status));
  }

  /** A fresh object holding only what a status patch needs. */
  private static AppServer statusOnly(AppServer resource, AppServerStatus status) {
    var patch = new AppServer();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace())
        .build());
    patch.setStatus(status);
    return patch;
  }
}
