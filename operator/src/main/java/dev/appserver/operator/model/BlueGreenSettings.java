package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.BlueGreenSpec;
import dev.appserver.operator.api.v1alpha1.StrategySpec;

/**
 * The blue-green settings, defaults resolved. The schema can default them only inside a
 * {@code blueGreen} block (a block the RollingUpdate strategy must not have), so a BlueGreen
 * AppServer written without one gets the same defaults here, from the constants the schema's
 * own {@code @Default}s are written with.
 *
 * @param prePromotionCheck whether a check must pass before traffic switches
 */
public record BlueGreenSettings(boolean autoPromote, int scaleDownDelaySeconds, boolean prePromotionCheck) {

  static BlueGreenSettings of(StrategySpec strategy) {
    BlueGreenSpec bg = strategy == null ? null : strategy.getBlueGreen();
    if (bg == null) bg = new BlueGreenSpec();
    return new BlueGreenSettings(
        bg.getAutoPromote() == null ? BlueGreenSpec.DEFAULT_AUTO_PROMOTE : bg.getAutoPromote(),
        bg.getScaleDownDelaySeconds() == null ? BlueGreenSpec.DEFAULT_SCALE_DOWN_DELAY_SECONDS : bg.getScaleDownDelaySeconds(),
        bg.getPrePromotionCheck() != null);
  }
}
