package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The blue-green state machine's state: everything a restarted operator needs to carry on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlueGreenStatus {

  @JsonPropertyDescription("Idle, Progressing, AwaitingPromotion, ScalingDown or Aborted.")
  private String phase;

  @JsonPropertyDescription("The colour (blue or green) the Service sends traffic to.")
  private String activeColor;

  @JsonPropertyDescription("Pod template revision of the active colour.")
  private String activeRevision;

  @JsonPropertyDescription("The colour being brought up, which the preview Service selects.")
  private String previewColor;

  @JsonPropertyDescription("Pod template revision being brought up.")
  private String previewRevision;

  @JsonPropertyDescription("The colour that served before the last switch, kept scaled until scaleDownAt.")
  private String previousColor;

  @JsonPropertyDescription("Pod template revision of the previous colour.")
  private String previousRevision;

  @JsonPropertyDescription("When the current rollout started (for progressDeadlineSeconds).")
  private String rolloutStartTime;

  @JsonPropertyDescription("When the previous colour scales down.")
  private String scaleDownAt;

  @JsonPropertyDescription("When traffic last switched colour.")
  private String lastPromotionTime;

  @JsonPropertyDescription("Revision of the last abandoned rollout; it is not retried until the spec changes or appserver.dev/retry is set.")
  private String abortedRevision;

  @JsonPropertyDescription("Why the last rollout was abandoned.")
  private String abortReason;

  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public String getActiveColor() { return activeColor; }
  public void setActiveColor(String activeColor) { this.activeColor = activeColor; }
  public String getActiveRevision() { return activeRevision; }
  public void setActiveRevision(String activeRevision) { this.activeRevision = activeRevision; }
  public String getPreviewColor() { return previewColor; }
  public void setPreviewColor(String previewColor) { this.previewColor = previewColor; }
  public String getPreviewRevision() { return previewRevision; }
  public void setPreviewRevision(String previewRevision) { this.previewRevision = previewRevision; }
  public String getPreviousColor() { return previousColor; }
  public void setPreviousColor(String previousColor) { this.previousColor = previousColor; }
  public String getPreviousRevision() { return previousRevision; }
  public void setPreviousRevision(String previousRevision) { this.previousRevision = previousRevision; }
  public String getRolloutStartTime() { return rolloutStartTime; }
  public void setRolloutStartTime(String rolloutStartTime) { this.rolloutStartTime = rolloutStartTime; }
  public String getScaleDownAt() { return scaleDownAt; }
  public void setScaleDownAt(String scaleDownAt) { this.scaleDownAt = scaleDownAt; }
  public String getLastPromotionTime() { return lastPromotionTime; }
  public void setLastPromotionTime(String lastPromotionTime) { this.lastPromotionTime = lastPromotionTime; }
  public String getAbortedRevision() { return abortedRevision; }
  public void setAbortedRevision(String abortedRevision) { this.abortedRevision = abortedRevision; }
  public String getAbortReason() { return abortReason; }
  public void setAbortReason(String abortReason) { this.abortReason = abortReason; }

  public BlueGreenStatus copy() {
    var c = new BlueGreenStatus();
    c.phase = phase;
    c.activeColor = activeColor;
    c.activeRevision = activeRevision;
    c.previewColor = previewColor;
    c.previewRevision = previewRevision;
    c.previousColor = previousColor;
    c.previousRevision = previousRevision;
    c.rolloutStartTime = rolloutStartTime;
    c.scaleDownAt = scaleDownAt;
    c.lastPromotionTime = lastPromotionTime;
    c.abortedRevision = abortedRevision;
    c.abortReason = abortReason;
    return c;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof BlueGreenStatus s)) return false;
    return Objects.equals(phase, s.phase) && Objects.equals(activeColor, s.activeColor)
        && Objects.equals(activeRevision, s.activeRevision) && Objects.equals(previewColor, s.previewColor)
        && Objects.equals(previewRevision, s.previewRevision) && Objects.equals(previousColor, s.previousColor)
        && Objects.equals(previousRevision, s.previousRevision) && Objects.equals(rolloutStartTime, s.rolloutStartTime)
        && Objects.equals(scaleDownAt, s.scaleDownAt) && Objects.equals(lastPromotionTime, s.lastPromotionTime)
        && Objects.equals(abortedRevision, s.abortedRevision) && Objects.equals(abortReason, s.abortReason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, activeColor, activeRevision, previewColor, previewRevision, previousColor,
        previousRevision, rolloutStartTime, scaleDownAt, lastPromotionTime, abortedRevision, abortReason);
  }

  @Override
  public String toString() {
    return "BlueGreenStatus{phase=" + phase + ", active=" + activeColor + "@" + activeRevision + ", preview="
        + previewColor + "@" + previewRevision + ", previous=" + previousColor + "@" + previousRevision
        + ", aborted=" + abortedRevision + "}";
  }
}
