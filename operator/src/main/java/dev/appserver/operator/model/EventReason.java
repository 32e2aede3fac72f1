package dev.appserver.operator.model;

/**
 * Every reason of an Event the operator records on an AppServer, with its type. The constant's
 * name is the reason as written on the Event (users, docs and alerts match on it), so a constant
 * is never renamed.
 */
public enum EventReason {
  // The reconciler's own
  Sized(Type.Normal),
  Scaled(Type.Normal),
  RolledOut(Type.Normal),
  RolloutStalled(Type.Warning),
  InvalidSpec(Type.Warning),
  ApplyFailed(Type.Warning),
  AutoscalingUnavailable(Type.Warning),
  EnvSourceNotFound(Type.Warning),
  // The sizing advisor's verdict changed
  RaiseConcurrency(Type.Warning),
  LowerConcurrency(Type.Warning),
  ConcurrencyFits(Type.Normal),
  // The rollout planner's (RollingUpdate and blue-green)
  RolloutStarted(Type.Normal),
  StrategyChanged(Type.Normal),
  Adopted(Type.Normal),
  Deployed(Type.Normal),
  AwaitingPromotion(Type.Normal),
  Promoted(Type.Normal),
  RolledBack(Type.Normal),
  ScaledDown(Type.Normal),
  RolloutCancelled(Type.Normal),
  RolloutAborted(Type.Warning),
  PrePromotionCheckFailed(Type.Warning);

  /** The Event's type, as Kubernetes spells it. */
  public enum Type { Normal, Warning }

  private final Type type;

  EventReason(Type type) {
    this.type = type;
  }

  public Type type() {
    return type;
  }
}
