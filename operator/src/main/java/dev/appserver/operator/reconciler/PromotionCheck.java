package dev.appserver.operator.reconciler;

import dev.appserver.operator.model.AppServerModel;

/** The pre-promotion check: an HTTP GET through the preview Service must answer 2xx. */
public interface PromotionCheck {
  boolean passes(AppServerModel model, String previewService, String path, int timeoutSeconds);
}
