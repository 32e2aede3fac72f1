package dev.appserver.operator.reconciler;

import dev.appserver.operator.model.AppServerModel;
import java.util.concurrent.CompletionStage;

/** The pre-promotion check: an HTTP GET through the preview Service must answer 2xx. */
public interface PromotionCheck {
  /**
   * What the check saw.
   *
   * @param detail {@code HTTP 200}, {@code HTTP 503}, {@code no answer within 5s}, or why the request failed
   */
  record Answer(boolean passed, String detail) {}

  /**
   * Sends the request and returns without waiting for the answer. The stage completes with the
   * answer (a request that fails is a failed answer, not an exceptional completion) within about
   * {@code timeoutSeconds}.
   */
  CompletionStage<Answer> start(AppServerModel model, String previewService, String path, int timeoutSeconds);
}
