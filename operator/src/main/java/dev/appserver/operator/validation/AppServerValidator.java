package dev.appserver.operator.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.admission.FieldError;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validates and normalises an AppServer once: the CRD's own schema, defaults and CEL rules (the
 * same rules the apiserver enforces at admission), then the checks the schema cannot express.
 */
public final class AppServerValidator {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final Supplier<Admission> admission;

  public AppServerValidator(Admission admission) {
    this.admission = () -> admission;
  }

  private AppServerValidator(Supplier<Admission> admission) {
    this.admission = admission;
  }

  /**
   * A validator whose admission rules are read and compiled (CEL) on a thread of their own, started
   * now; the first validation waits for them. The operator starts its informers meanwhile, so the
   * compilation is not on the way to the first reconcile. A failure to load is thrown by every
   * validation (and the controller retries), as it would have been at start.
   */
  public static AppServerValidator loadingInBackground(Supplier<Admission> load) {
    var future = new CompletableFuture<Admission>();
    var thread = new Thread(() -> {
      try {
        future.complete(load.get());
      } catch (Throwable e) {
        future.completeExceptionally(e);
      }
    }, "admission-rules");
    thread.setDaemon(true);
    thread.start();
    return new AppServerValidator(() -> {
      try {
        return future.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    });
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
    var result = admission.get().admit(json);
    if (!result.valid()) return new Outcome(null, null, result.errors());
    AppServer normalised = JSON.convertValue(result.defaulted(), AppServer.class);
    List<FieldError> errors = SpecChecks.check(normalised.getSpec());
    if (!errors.isEmpty()) return new Outcome(null, normalised, errors);
    return new Outcome(AppServerModel.from(normalised), normalised, List.of());
  }
}
