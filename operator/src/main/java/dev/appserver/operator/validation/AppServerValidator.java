package dev.appserver.operator.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.admission.FieldError;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Validates and normalises an AppServer once: the CRD's own schema, defaults and CEL rules (the
 * same rules the apiserver enforces at admission), then the checks the schema cannot express.
 */
public final class AppServerValidator {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final Admission admission;

  public AppServerValidator(Admission admission) {
    this.admission = admission;
  }

  /** Either a model (valid) or the errors, each naming its field. */
  public record Outcome(AppServerModel model, AppServer normalised, List<FieldError> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }

    public String message() {
      return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }
  }

  public Outcome validate(AppServer appServer) {
    return validate(JSON.convertValue(appServer, ObjectNode.class));
  }

  /** Validates the object as written, before it is bound to the API classes (bad enum values included). */
  public Outcome validate(ObjectNode appServer) {
    ObjectNode json = appServer.deepCopy();
    json.remove("status");
    var result = admission.admit(json);
    if (!result.valid()) return new Outcome(null, null, result.errors());
    AppServer normalised = JSON.convertValue(result.defaulted(), AppServer.class);
    List<FieldError> errors = SpecChecks.check(normalised.getSpec());
    if (!errors.isEmpty()) return new Outcome(null, normalised, errors);
    return new Outcome(AppServerModel.from(normalised), normalised, List.of());
  }
}
