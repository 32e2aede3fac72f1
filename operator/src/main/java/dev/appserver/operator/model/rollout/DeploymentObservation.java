package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.Revisions;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator sees of one Deployment it manages.
 *
 * @param revision the revision annotation
 * @param spec the spec snapshot it was built from, if readable
 * @param replicas spec.replicas
 * @param observed the Deployment controller has seen the current generation
 * @param envSourcesDigest the env sources' digest on its pod template, if any
 */
public record DeploymentObservation(
    String name, String revision, AppServerSpec spec, int replicas, int ready, int updated, int available, boolean observed,
    String envSourcesDigest) {

  /** A Deployment whose pod template reads no env source. */
  public DeploymentObservation(
      String name, String revision, AppServerSpec spec, int replicas, int ready, int updated, int available, boolean observed) {
    this(name, revision, spec, replicas, ready, updated, available, observed, null);
  }

  public static Optional<DeploymentObservation> of(Deployment d) {
    if (d == null) return Optional.empty();
    Map<String, String> annotations = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
    var st = d.getStatus();
    Long generation = d.getMetadata().getGeneration();
    boolean observed = st != null && st.getObservedGeneration() != null
        && (generation == null || st.getObservedGeneration() >= generation);
    return Optional.of(new DeploymentObservation(
        d.getMetadata().getName(),
        annotations.get(Names.ANNOTATION_REVISION),
        Revisions.fromSnapshot(annotations.get(Names.ANNOTATION_SPEC)).orElse(null),
        d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
        st == null || st.getReadyReplicas() == null ? 0 : st.getReadyReplicas(),
        st == null || st.getUpdatedReplicas() == null ? 0 : st.getUpdatedReplicas(),
        st == null || st.getAvailableReplicas() == null ? 0 : st.getAvailableReplicas(),
        observed,
        templateAnnotation(d, Names.ANNOTATION_ENV_SOURCES_HASH)));
  }

  private static String templateAnnotation(Deployment d, String key) {
    if (d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getMetadata() == null) return null;
    var annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /** The model this Deployment was built from, or null when its snapshot is unreadable. */
  public AppServerModel model(String name, String namespace) {
    return spec == null ? null
        : AppServerModel.of(name, namespace, spec).withEnvSourcesDigest(envSourcesDigest);
  }

  /** Every one of {@code desired} pods runs {@code revision} and is ready. */
  public boolean fullyReady(String revision, int desired) {
    return revision.equals(this.revision) && observed && replicas == desired
        && updated == desired && ready == desired && available == desired;
  }
}
