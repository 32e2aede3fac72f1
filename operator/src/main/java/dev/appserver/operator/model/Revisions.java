package dev.appserver.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import java.util.Map;
import java.util.Optional;

/**
 * Revisions and spec snapshots. A revision is a hash of the pod template an AppServer spec
 * produces: it changes with the image, env, resources, Gunicorn configuration and so on, not with
 * replicas or Service settings. A snapshot is the normalised spec (without replicas), stored on
 * each Deployment so the operator can rebuild that Deployment exactly, whatever the spec says now.
 */
public final class Revisions {
  private static final ObjectMapper K8S = KubernetesJson.MAPPER;
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Revisions() {}

  /** Computes the revision; read {@link AppServerModel#revision()}, which holds it. */
  public static String revision(AppServerModel m) {
    var template = PodTemplates.podTemplate(m, Names.podSelector(m.name()), Names.configMap(m.name()));
    return GunicornConfig.hash(canonical(K8S.convertValue(template, ObjectNode.class)));
  }

  public static String snapshot(AppServerSpec spec) {
    ObjectNode json = K8S.convertValue(spec, ObjectNode.class);
    json.remove("replicas");
    return canonical(json);
  }

  public static Optional<AppServerSpec> fromSnapshot(String snapshot) {
    if (snapshot == null || snapshot.isBlank()) return Optional.empty();
    try {
      return Optional.of(K8S.readValue(snapshot, AppServerSpec.class));
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String canonical(ObjectNode json) {
    try {
      Object tree = CANONICAL.treeToValue(json, Map.class);
      return CANONICAL.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
