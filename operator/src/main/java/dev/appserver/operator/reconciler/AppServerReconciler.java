package dev.appserver.operator.reconciler;

import dev.appserver.operator.advisor.SizingAdvisor;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Color;
import dev.appserver.operator.model.rollout.DeploymentObservation;
import dev.appserver.operator.model.rollout.Observation;
import dev.appserver.operator.model.rollout.Plan;
import dev.appserver.operator.model.rollout.PromotionCheckResult;
import dev.appserver.operator.model.rollout.RolloutPlanner;
import dev.appserver.operator.ops.OperatorMetrics;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, validate, plan, apply, report. The plan (which Deployments exist and at what size,
 * what the Services select, the next blue-green state) is a pure function of what is observed;
 * the workflow of dependents (one per child, server-side apply, matched on managedFields so an
 * unchanged world costs no write) makes it true. An invalid spec never reaches the workflow: the
 * running children stay as they were and a Degraded condition and an Event say why.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "config", type = PlannedDeployments.RollingConfigMap.class,
          reconcilePrecondition = PlannedDeployments.RollingPlanned.class, useEventSourceWithName = PlannedDeployments.CONFIG_MAPS),
      @Dependent(name = "deployment", type = PlannedDeployments.RollingDeployment.class, dependsOn = "config",
          reconcilePrecondition = PlannedDeployments.RollingPlanned.class, useEventSourceWithName = PlannedDeployments.DEPLOYMENTS),
      @Dependent(name = "config-blue", type = PlannedDeployments.BlueConfigMap.class,
          reconcilePrecondition = PlannedDeployments.BluePlanned.class, useEventSourceWithName = PlannedDeployments.CONFIG_MAPS),
      @Dependent(name = "deployment-blue", type = PlannedDeployments.BlueDeployment.class, dependsOn = "config-blue",
          reconcilePrecondition = PlannedDeployments.BluePlanned.class, useEventSourceWithName = PlannedDeployments.DEPLOYMENTS),
      @Dependent(name = "config-green", type = PlannedDeployments.GreenConfigMap.class,
          reconcilePrecondition = PlannedDeployments.GreenPlanned.class, useEventSourceWithName = PlannedDeployments.CONFIG_MAPS),
      @Dependent(name = "deployment-green", type = PlannedDeployments.GreenDeployment.class, dependsOn = "config-green",
          reconcilePrecondition = PlannedDeployments.GreenPlanned.class, useEventSourceWithName = PlannedDeployments.DEPLOYMENTS),
      @Dependent(name = "service", type = ServiceDependent.class, useEventSourceWithName = AppServerReconciler.SERVICES),
      @Dependent(name = "preview", type = PreviewServiceDependent.class,
          reconcilePrecondition = PreviewServiceDependent.Wanted.class, useEventSourceWithName = AppServerReconciler.SERVICES),
      @Dependent(name = "pdb", type = DisruptionBudgetDependent.class, reconcilePrecondition = DisruptionBudgetDependent.Enabled.class,
          useEventSourceWithName = AppServerReconciler.DISRUPTION_BUDGETS),
      @Dependent(name = "hpa", type = AutoscalerDependent.class, reconcilePrecondition = AutoscalerDependent.Enabled.class,
          useEventSourceWithName = AppServerReconciler.AUTOSCALERS),
      // Other projects' kinds: only where the cluster has their CRD (looked for again every minute).
      @Dependent(name = "scaledobject", type = ScaledObjectDependent.class,
          activationCondition = KindServed.class, reconcilePrecondition = ScaledObjectDependent.Wanted.class),
      @Dependent(name = "podmonitor", type = PodMonitorDependent.class,
          activationCondition = KindServed.class, reconcilePrecondition = PodMonitorDependent.Wanted.class)
    })
// Not generation-aware: promote/abort/retry are annotations, which leave metadata.generation alone.
// A reconcile of an unchanged AppServer writes nothing, so our own status writes cost one extra pass.
@ControllerConfiguration(name = AppServerReconciler.NAME, generationAwareEventProcessing = false)
public class AppServerReconciler implements Reconciler<AppServer> {
  public static final String NAME = Names.OPERATOR;
  static final String SERVICES = "services";
  static final String DISRUPTION_BUDGETS = "poddisruptionbudgets";
  static final String AUTOSCALERS = "horizontalpodautoscalers";
  private static final Logger log = LoggerFactory.getLogger(AppServerReconciler.class);

  private final AppServerValidator validator;
  private final EventRecorder events;
  private final PromotionChecks checks;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final OperatorSettings settings;
  private final SizingAdvisor advisor;
  private final EnvSourceWatch envSources;
  private volatile boolean stopping;
  /** The missing env sources last reported per AppServer, so the Event is recorded once per change. */
  private final Map<ResourceID, String> reportedMissing = new java.util.concurrent.ConcurrentHashMap<>();

  public AppServerReconciler(AppServerValidator validator, EventRecorder events, PromotionCheck promotionCheck, Clock clock) {
    this(validator, events, promotionCheck, clock, OperatorMetrics.NOOP, OperatorSettings.NONE);
  }

  public AppServerReconciler(AppServerValidator validator, EventRecorder events, PromotionCheck promotionCheck, Clock clock,
      OperatorMetrics metrics, OperatorSettings settings) {
    this(validator, events, promotionCheck, clock, metrics, settings, SizingAdvisor.off());
  }

  /** @param advisor the sizing advisor, whose readings status.advisor shows ({@link SizingAdvisor#off()}: none) */
  public AppServerReconciler(AppServerValidator validator, EventRecorder events, PromotionCheck promotionCheck, Clock clock,
      OperatorMetrics metrics, OperatorSettings settings, SizingAdvisor advisor) {
    this.settings = settings;
    this.advisor = advisor;
    this.envSources = new EnvSourceWatch(settings.envSourceKinds());
    this.validator = validator;
    this.events = events;
    this.checks = new PromotionChecks(promotionCheck, clock);
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Called before the operator stops: failures from here on are the stop's, not the children's. */
  public void stopping() {
    stopping = true;
  }

  /** The pre-promotion checks this reconciler holds (for tests). */
  PromotionChecks promotionChecks() {
    return checks;
  }

  /**
   * One informer per kind, shared by the dependents of that kind, watching only what we manage and
   * keeping only what we read ({@link TrimmedStore}).
   */
  @Override
  public List<EventSource<?, AppServer>> prepareEventSources(EventSourceContext<AppServer> context) {
    checks.onlyFor(id -> context.getPrimaryCache().get(id).isPresent());
    List<EventSource<?, AppServer>> sources = new ArrayList<>(List.of(
        informer(context, Deployment.class, PlannedDeployments.DEPLOYMENTS, TrimmedStore::ownManagedFieldsOnly),
        informer(context, ConfigMap.class, PlannedDeployments.CONFIG_MAPS, TrimmedStore::digestDataInPlace),
        informer(context, Service.class, SERVICES, TrimmedStore::ownManagedFieldsOnly),
        informer(context, PodDisruptionBudget.class, DISRUPTION_BUDGETS, TrimmedStore::ownManagedFieldsOnly),
        informer(context, HorizontalPodAutoscaler.class, AUTOSCALERS, TrimmedStore::ownManagedFieldsOnly),
        checks));
    advisor.eventSource(context).ifPresent(sources::add);
    sources.addAll(envSources.eventSources(context));
    return sources;
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, AppServer> informer(
      EventSourceContext<AppServer> context, Class<R> type, String name, UnaryOperator<R> trim) {
    var namespaces = context.getControllerConfiguration().getInformerConfig().getNamespaces();
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, AppServer.class)
        .withName(name).withLabelSelector(Names.MANAGED_SELECTOR)
        .withItemStore(TrimmedStore.usable(namespaces) ? TrimmedStore.of(trim) : null).build(), context);
  }

  /**
   * Validate and normalise (once), observe, plan (pure), apply, tell, record status. An invalid
   * spec stops after the first step: status and an Event say why, and the children stay as they are.
   */
  @Override
  public UpdateControl<AppServer> reconcile(AppServer resource, Context<AppServer> context) {
    Instant now = Instant.now(clock);
    var outcome = validator.validate(resource);
    if (!outcome.valid()) return reportInvalidSpec(resource, context, outcome.message(), now);
    AppServerModel model = withEnvSources(resource, context, outcome.model());
    Plan plan = RolloutPlanner.plan(model, observe(resource, context, heldCheck(resource), now));
    apply(resource, context, model, plan);
    announce(resource, plan.notes());
    var control = recordStatus(resource, context, model,
        StatusInputs.planned(resource, model, plan, deployment(context, resource, plan.serving()), now));
    if (plan.requeueAfter() != null) control.rescheduleAfter(plan.requeueAfter().plusMillis(100));
    return control;
  }

  /** Status and an Event (once per message) for a spec the validator refused; nothing is applied. */
  private UpdateControl<AppServer> reportInvalidSpec(AppServer resource, Context<AppServer> context, String errors,
      Instant now) {
    var status = StatusAggregator.aggregate(StatusInputs.invalidSpec(resource, errors, servingNow(resource, context), now));
    if (!Objects.equals(previousMessage(resource), status.getMessage())) {
      events.record(resource, EventReason.InvalidSpec, errors);
    }
    return patchIfChanged(resource, context, status);
  }

  /**
   * Makes the plan true: the workflow's dependents read the model and plan from the context and
   * apply each child; then the pre-promotion check the plan asks for is followed, and the
   * annotations it has acted on are removed.
   */
  private void apply(AppServer resource, Context<AppServer> context, AppServerModel model, Plan plan) {
    ModelDependent.put(context, model, plan, settings);
    settings.scaledObjectMissing(model).ifPresent(why -> events.record(resource, EventReason.AutoscalingUnavailable, why));
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()
        .throwAggregateExceptionIfErrorsPresent();
    checks.follow(ResourceID.fromResource(resource), model, plan.check());
    consumeAnnotations(resource, context, plan);
  }

  /** An Event for each note of the plan, and the rollout metrics the notes stand for. */
  private void announce(AppServer resource, List<Plan.Note> notes) {
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    for (Plan.Note note : notes) {
      events.record(resource, note.reason(), note.message());
      switch (note.reason()) {
        case RolloutStarted -> metrics.rolloutStarted(ns, name);
        case Promoted -> metrics.rolloutPromoted(ns, name);
        case RolloutAborted -> metrics.rolloutAbandoned(ns, name);
        default -> { }
      }
    }
  }

  /** Status from the inputs, with the advisor's part and the Events of what changed; patched only when it changed. */
  private UpdateControl<AppServer> recordStatus(AppServer resource, Context<AppServer> context, AppServerModel model,
      StatusInputs inputs) {
    var status = StatusAggregator.aggregate(inputs);
    AdvisorReport.apply(advisor, resource, model, status, events);
    recordTransitions(resource, status);
    return patchIfChanged(resource, context, status);
  }

  @Override
  public ErrorStatusUpdateControl<AppServer> updateErrorStatus(AppServer resource, Context<AppServer> context, Exception e) {
    if (stopping) {
      // The operator is stopping: JOSDK shuts the workflow's executor and informers down under
      // reconciles in flight, which then fail for that reason alone. Nothing to report: the next
      // leader reconciles them, and an ApplyFailed written now would only be written back.
      log.info("Reconcile of {}/{} cut short by the operator stopping: {}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), e.getMessage());
      return ErrorStatusUpdateControl.<AppServer>noStatusUpdate().withNoRetry();
    }
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) cause = cause.getCause();
    boolean appServerGone = cause instanceof KubernetesClientException kce && kce.getCode() == 404
        && String.valueOf(kce.getMessage()).contains("/appservers/" + resource.getMetadata().getName());
    if (appServerGone || namespaceTerminating(e)) {
      // The AppServer, or its whole namespace, is on its way out: nothing to report, nothing to retry.
      log.debug("{}/{} is being deleted: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e.getMessage());
      return ErrorStatusUpdateControl.<AppServer>noStatusUpdate().withNoRetry();
    }
    String message = "applying the child resources failed: " + describe(cause);
    log.warn("Reconcile of {}/{} failed: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), message);
    var outcome = validator.validate(resource);
    var status = StatusAggregator.aggregate(StatusInputs.applyFailed(resource, Optional.ofNullable(outcome.model()), message,
        servingNow(resource, context), Instant.now(clock)));
    if (!Objects.equals(previousMessage(resource), status.getMessage())) {
      events.record(resource, EventReason.ApplyFailed, message);
    }
    if (Objects.equals(resource.getStatus(), status)) return ErrorStatusUpdateControl.defaultErrorProcessing();
    return ErrorStatusUpdateControl.patchStatus(statusOnly(resource, status));
  }

  /** What went wrong, in words: the exception's message, or its kind when it has none. */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  /** The namespace is being deleted, so the API server refuses anything new in it. */
  static boolean namespaceTerminating(Throwable e) {
    return String.valueOf(e.getMessage()).contains("because it is being terminated");
  }

  /**
   * The model with the digest of the ConfigMaps and Secrets its container reads, so a change to
   * them changes the pod template; a reference to a source that does not exist is reported once.
   */
  private AppServerModel withEnvSources(AppServer resource, Context<AppServer> context, AppServerModel model) {
    var result = envSources.digest(resource, context);
    var id = ResourceID.fromResource(resource);
    if (result.missing().isEmpty()) {
      reportedMissing.remove(id);
    } else {
      String message = result.missingMessage();
      if (!message.equals(reportedMissing.put(id, message))) {
        events.record(resource, EventReason.EnvSourceNotFound, message);
      }
    }
    return model.withEnvSourcesDigest(result.digest());
  }

  /** The pre-promotion check held for the revision status says is being brought up (running or answered). */
  private PromotionCheckResult heldCheck(AppServer resource) {
    var bg = resource.getStatus() == null ? null : resource.getStatus().getBlueGreen();
    if (bg == null || bg.getPreviewRevision() == null) return null;
    return checks.result(ResourceID.fromResource(resource), bg.getPreviewRevision()).orElse(null);
  }

  /** Reads the Deployments, the Service, the request annotations and the check: the planner's whole input. */
  private static Observation observe(AppServer resource, Context<AppServer> context, PromotionCheckResult check,
      Instant now) {
    String name = resource.getMetadata().getName();
    Map<Color, DeploymentObservation> colors = new EnumMap<>(Color.class);
    for (Color c : Color.values()) {
      DeploymentObservation.of(deployment(context, resource, Names.colorDeployment(name, c.label())))
          .ifPresent(o -> colors.put(c, o));
    }
    Map<String, String> annotations = Optional.ofNullable(resource.getMetadata().getAnnotations()).orElse(Map.of());
    Map<String, String> serviceSelector = context.getSecondaryResources(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(Names.service(name)))
        .findFirst().map(s -> s.getSpec().getSelector()).orElse(null);
    return new Observation(
        resource.getStatus() == null ? null : resource.getStatus().getBlueGreen(),
        DeploymentObservation.of(deployment(context, resource, name)),
        colors,
        serviceSelector,
        "true".equalsIgnoreCase(annotations.get(Names.ANNOTATION_PROMOTE)),
        "true".equalsIgnoreCase(annotations.get(Names.ANNOTATION_ABORT)),
        "true".equalsIgnoreCase(annotations.get(Names.ANNOTATION_RETRY)),
        check,
        now);
  }

  private static Deployment deployment(Context<AppServer> context, AppServer resource, String name) {
    String ns = resource.getMetadata().getNamespace();
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(d -> name.equals(d.getMetadata().getName()) && ns.equals(d.getMetadata().getNamespace()))
        .findFirst().orElse(null);
  }

  /** The Deployment serving now, as far as status says (used when the spec cannot be planned). */
  private static Deployment servingNow(AppServer resource, Context<AppServer> context) {
    String name = resource.getMetadata().getName();
    var bg = resource.getStatus() == null ? null : resource.getStatus().getBlueGreen();
    if (bg != null && bg.getActiveColor() != null) {
      Deployment d = deployment(context, resource, Names.colorDeployment(name, bg.getActiveColor()));
      if (d != null) return d;
    }
    return deployment(context, resource, name);
  }

  /**
   * Removes promote/abort/retry annotations that no longer apply. The planner names them only once
   * the persisted state has moved past the phase they act in, so an operator that dies between
   * acting and writing status acts again rather than forgetting the request.
   */
  private static void consumeAnnotations(AppServer resource, Context<AppServer> context, Plan plan) {
    if (plan.consumedAnnotations().isEmpty()) return;
    String patch = plan.consumedAnnotations().stream()
        .map(a -> "{\"op\":\"remove\",\"path\":\"/metadata/annotations/" + a.replace("~", "~0").replace("/", "~1") + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
    try {
      context.getClient().resources(AppServer.class).inNamespace(resource.getMetadata().getNamespace())
          .withName(resource.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON), patch);
    } catch (KubernetesClientException e) {
      log.warn("Could not remove {} from {}/{}: {}", plan.consumedAnnotations(), resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), e.getMessage());
    }
  }

  private void recordTransitions(AppServer resource, AppServerStatus now) {
    AppServerStatus before = resource.getStatus() == null ? new AppServerStatus() : resource.getStatus();
    if (!Objects.equals(before.getWorkers(), now.getWorkers()) || !Objects.equals(before.getThreads(), now.getThreads())
        || !Objects.equals(before.getWorkerClass(), now.getWorkerClass())) {
      events.record(resource, EventReason.Sized,
          now.getWorkers() + " Gunicorn workers per pod (" + now.getSizing() + ")");
    }
    String desiredBefore = before.getReady() == null ? null : before.getReady().substring(before.getReady().indexOf('/') + 1);
    String desiredNow = now.getReady().substring(now.getReady().indexOf('/') + 1);
    if (desiredBefore != null && !desiredBefore.equals(desiredNow)) {
      events.record(resource, EventReason.Scaled, "replicas " + desiredBefore + " -> " + desiredNow);
    }
    boolean wasProgressing = Conditions.isTrue(before.getConditions(), Conditions.PROGRESSING);
    boolean isProgressing = Conditions.isTrue(now.getConditions(), Conditions.PROGRESSING);
    if (wasProgressing && !isProgressing && "Ready".equals(now.getPhase())) {
      events.record(resource, EventReason.RolledOut, "rollout complete: " + now.getMessage());
    }
    boolean wasDegraded = Conditions.isTrue(before.getConditions(), Conditions.DEGRADED);
    if (!wasDegraded && Conditions.isTrue(now.getConditions(), Conditions.DEGRADED) && now.getBlueGreen() == null) {
      events.record(resource, EventReason.RolloutStalled, now.getMessage());
    }
  }

  private static String previousMessage(AppServer resource) {
    return resource.getStatus() == null ? null : resource.getStatus().getMessage();
  }

  /**
   * Patches the status when it changed, and caches the result (JOSDK's PrimaryUpdateAndCacheUtils),
   * so that the next reconcile reads it even when other events come before the informer has it:
   * status carries the blue-green state and what the Events of a transition are compared with, and
   * a reconcile that read the status before this one would record them twice or not at all.
   */
  private UpdateControl<AppServer> patchIfChanged(AppServer resource, Context<AppServer> context, AppServerStatus status) {
    if (status.getWorkers() != null) {
      metrics.workers(resource.getMetadata().getNamespace(), resource.getMetadata().getName(), status.getWorkers());
    }
    if (Objects.equals(resource.getStatus(), status)) return UpdateControl.noUpdate();
    var configuration = context.getControllerConfiguration().getConfigurationService();
    if (configuration.useSSAToPatchPrimaryResource()) {
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, statusOnly(resource, status), context);
    } else {
      // Without server-side apply, the whole status is replaced, so fields left out are removed as with apply.
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, cached -> {
        AppServer copy = configuration.getResourceCloner().clone(resource);
        copy.setStatus(status);
        return copy;
      });
    }
    return UpdateControl.noUpdate();
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
