package dev.appserver.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Kubernetes-convention conditions whose lastTransitionTime moves only when the status flips. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  /** kstatus: True while the desired revision is not yet fully serving. */
  public static final String RECONCILING = "Reconciling";
  /** kstatus: True when the operator cannot make progress without a change. */
  public static final String STALLED = "Stalled";

  private Conditions() {}

  public static Condition condition(
      List<Condition> previous, String type, boolean status, String reason, String message, Long generation, Instant now) {
    String value = status ? "True" : "False";
    String since = find(previous, type)
        .filter(c -> Objects.equals(c.getStatus(), value))
        .map(Condition::getLastTransitionTime)
        .orElse(now.toString());
    return new ConditionBuilder()
        .withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since)
        .build();
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) return Optional.empty();
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
