package dev.appserver.operator.model.rollout;

import java.time.Instant;

/**
 * The pre-promotion check of the colour being brought up, as the operator holds it between
 * reconciles: the check runs off the reconcile threads, and each reconcile observes where it is.
 * The operator keeps one per AppServer, for the revision being brought up only.
 *
 * @param outcome running, or answered one way or the other
 * @param reason what the check saw ({@code HTTP 200}, {@code HTTP 503}, {@code no answer within 5s});
 *     while {@link Outcome#Pending}, why the previous check of the same revision failed, or null
 *     when there was none
 * @param at when it started ({@link Outcome#Pending}) or answered
 */
public record PromotionCheckResult(Outcome outcome, String reason, Instant at) {
  public enum Outcome { Pending, Passed, Failed }

  public static PromotionCheckResult pending(String previousFailure, Instant since) {
    return new PromotionCheckResult(Outcome.Pending, previousFailure, since);
  }

  public static PromotionCheckResult passed(String reason, Instant at) {
    return new PromotionCheckResult(Outcome.Passed, reason, at);
  }

  public static PromotionCheckResult failed(String reason, Instant at) {
    return new PromotionCheckResult(Outcome.Failed, reason, at);
  }
}
