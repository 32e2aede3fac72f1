package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlueGreenSpec {
  /** Schema defaults, also applied by the model where the schema cannot (no blueGreen block). */
  public static final boolean DEFAULT_AUTO_PROMOTE = true;
  public static final int DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

  @Default("" + DEFAULT_AUTO_PROMOTE)
  @JsonPropertyDescription("Switch traffic as soon as the new colour is fully ready (and passes prePromotionCheck). With false, the rollout waits in AwaitingPromotion until `kubectl annotate appserver NAME appserver.dev/promote=true`. Default true.")
  private Boolean autoPromote;

  @Default("" + DEFAULT_SCALE_DOWN_DELAY_SECONDS)
  @Min(0)
  @Max(86400)
  @JsonPropertyDescription("Seconds the previous colour stays scaled up after a switch, so reverting spec within that window switches back at once with no new pods. 0 scales it down right after the switch. Default 30.")
  private Integer scaleDownDelaySeconds;

  @JsonPropertyDescription("An HTTP GET through the preview Service that must answer 2xx before traffic switches.")
  private PrePromotionCheckSpec prePromotionCheck;

  public Boolean getAutoPromote() { return autoPromote; }
  public void setAutoPromote(Boolean autoPromote) { this.autoPromote = autoPromote; }
  public Integer getScaleDownDelaySeconds() { return scaleDownDelaySeconds; }
  public void setScaleDownDelaySeconds(Integer v) { this.scaleDownDelaySeconds = v; }
  public PrePromotionCheckSpec getPrePromotionCheck() { return prePromotionCheck; }
  public void setPrePromotionCheck(PrePromotionCheckSpec v) { this.prePromotionCheck = v; }
}
