package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;

/**
 * A validated, defaulted AppServer and what follows from it alone: the sizing and the Gunicorn
 * configuration. Built once per reconcile; every child resource is a pure function of it.
 */
public record AppServerModel(
    String name, String namespace, AppServerSpec spec, Sizing sizing, String gunicornConfig, String configHash,
    String envSourcesDigest) {

  /** The AppServer must already have its schema defaults applied (see the admission package). */
  public static AppServerModel of(AppServer appServer) {
    return of(appServer.getMetadata().getName(), appServer.getMetadata().getNamespace(), appServer.getSpec());
  }

  /** For a normalised spec, such as one read back from a Deployment's spec snapshot. */
  public static AppServerModel of(String name, String namespace, AppServerSpec spec) {
    Sizing sizing = Sizing.of(spec.getResources(), spec.getWorkers());
    String config = GunicornConfig.render(name, spec, sizing);
    return new AppServerModel(name, namespace, spec, sizing, config, GunicornConfig.hash(config), null);
  }

  /**
   * The same model with the digest of the ConfigMaps and Secrets its container reads
   * ({@link EnvSources}); null when it reads none, opts out, or the digest is not known (render).
   */
  public AppServerModel withEnvSourcesDigest(String digest) {
    return new AppServerModel(name, namespace, spec, sizing, gunicornConfig, configHash, digest);
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
