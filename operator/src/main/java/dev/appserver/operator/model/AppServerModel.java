package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import java.util.Objects;

/**
 * A validated, defaulted AppServer and what follows from it alone: the sizing, the Gunicorn
 * configuration and the revision of the pod template it makes. Built once per reconcile; every
 * child resource is a pure function of it.
 *
 * @param envSourcesDigest the digest of the env sources the container reads; null: none or not known
 * @param revision the hash of the pod template ({@link Revisions#revision}), computed when the model is
 *     built and again only when an env-sources digest is added
 * @param blueGreen the blue-green settings, defaults resolved (read only under BlueGreen)
 */
public record AppServerModel(
    String name, String namespace, AppServerSpec spec, Sizing sizing, String gunicornConfig, String configHash,
    String envSourcesDigest, String revision, BlueGreenSettings blueGreen) {

  /**
   * The model of an AppServer as the API server stores it: its schema defaults already applied
   * (admission's defaulting does the same for specs that did not pass the API server).
   */
  public static AppServerModel from(AppServer appServer) {
    return of(appServer.getMetadata().getName(), appServer.getMetadata().getNamespace(), appServer.getSpec());
  }

  /** For a normalised spec, such as one read back from a Deployment's spec snapshot. */
  public static AppServerModel of(String name, String namespace, AppServerSpec spec) {
    Sizing sizing = Sizing.of(spec.getResources(), spec.getWorkers());
    String config = GunicornConfig.render(name, spec, sizing);
    var model = new AppServerModel(name, namespace, spec, sizing, config, GunicornConfig.hash(config), null, null,
        BlueGreenSettings.of(spec.getStrategy()));
    return model.withRevision(Revisions.revision(model));
  }

  private AppServerModel withRevision(String revision) {
    return new AppServerModel(name, namespace, spec, sizing, gunicornConfig, configHash, envSourcesDigest, revision,
        blueGreen);
  }

  /**
   * The same model with the digest of the ConfigMaps and Secrets its container reads
   * ({@link EnvSources}); null when it reads none, opts out, or the digest is not known (render).
   * The digest is on the pod template, so the revision is computed again, only when it changes.
   */
  public AppServerModel withEnvSourcesDigest(String digest) {
    if (Objects.equals(digest, envSourcesDigest)) return this;
    var model = new AppServerModel(name, namespace, spec, sizing, gunicornConfig, configHash, digest, null, blueGreen);
    return model.withRevision(Revisions.revision(model));
  }

  /** Requests in flight across the desired replicas, or null when Gunicorn does not cap them per pod. */
  public Integer inFlightTotal() {
    return sizing.inFlight() == null ? null : sizing.inFlight() * spec.getReplicas();
  }

  /**
   * Requests in flight per pod and in total, for people: with autoscaling, the range its
   * replica bounds allow.
   */
  public String inFlightSummary() {
    Integer perPod = sizing.inFlight();
    if (perPod == null) return "requests in flight not capped by Gunicorn";
    int replicas = spec.getReplicas();
    String text = perPod + " in flight per pod, " + (perPod * replicas) + " across " + replicas
        + (replicas == 1 ? " replica" : " replicas");
    var autoscaling = spec.getAutoscaling();
    if (autoscaling != null && Boolean.TRUE.equals(autoscaling.getEnabled()) && autoscaling.getMaxReplicas() != null) {
      text += " (autoscaling " + autoscaling.getMinReplicas() + "-" + autoscaling.getMaxReplicas() + ": "
          + (perPod * autoscaling.getMinReplicas()) + "-" + (perPod * autoscaling.getMaxReplicas()) + ")";
    }
    return text;
  }
}
