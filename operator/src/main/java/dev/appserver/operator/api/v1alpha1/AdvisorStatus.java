package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * What the sizing advisor measured of an AppServer's pods in Prometheus, and what it recommends.
 * Present only when the operator is configured with a Prometheus (docs/operations.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdvisorStatus {

  @JsonPropertyDescription("Measured (the figures are current), NotEnoughTraffic, NoMetrics or Unavailable (the figures, if any, are the last measured ones).")
  private AdvisorState state;

  @JsonPropertyDescription("When the figures below were measured. They are rewritten only when one of them moves by more than a fifth (busyPercent: by 10 points), so this is when they last moved.")
  private String measuredAt;

  @JsonPropertyDescription("The window the rates are taken over, as in PromQL (for example 5m).")
  private String window;

  @JsonPropertyDescription("Requests answered per second by all the pods, over the window.")
  private Double requestsPerSecond;

  @JsonPropertyDescription("CPU seconds the Gunicorn worker processes used per request (all their CPU time over the requests answered): what competes for the pod's cores.")
  private Double cpuSecondsPerRequest;

  @JsonPropertyDescription("Wall seconds per request, from Gunicorn's request start to its end (the duration histogram's sum over its count).")
  private Double wallSecondsPerRequest;

  @JsonPropertyDescription("Requests in flight on average over the window, in percent of what the pods serve at once.")
  private Integer busyPercent;

  @JsonPropertyDescription("CPU cores of one pod the recommendation is for: the container's CPU limit, else its request, else 1.")
  private Double cores;

  @JsonPropertyDescription("Requests one pod serves at once now (status.inFlightPerPod): processes x threads, or x connections. Unset for uvicorn.")
  private Integer concurrency;

  @JsonPropertyDescription("Requests in flight per pod the advisor recommends: 2 x cores x wallSecondsPerRequest / cpuSecondsPerRequest, rounded up to two significant digits. See docs/sizing.md.")
  private Integer recommendedConcurrency;

  @JsonPropertyDescription("Ok (within a factor of 2 of the recommendation), RaiseConcurrency, LowerConcurrency, or NotCapped (uvicorn). Kept from the last figures while state is not Measured.")
  private AdvisorVerdict verdict;

  @JsonPropertyDescription("The advice in a few words, as kubectl get shows it: ok, raise concurrency to N, lower concurrency to N, not capped, low traffic, no metrics, unavailable.")
  private String summary;

  @JsonPropertyDescription("The figures, the computation and what to change, in one line.")
  private String message;

  public AdvisorState getState() { return state; }
  public void setState(AdvisorState state) { this.state = state; }
  public String getMeasuredAt() { return measuredAt; }
  public void setMeasuredAt(String measuredAt) { this.measuredAt = measuredAt; }
  public String getWindow() { return window; }
  public void setWindow(String window) { this.window = window; }
  public Double getRequestsPerSecond() { return requestsPerSecond; }
  public void setRequestsPerSecond(Double requestsPerSecond) { this.requestsPerSecond = requestsPerSecond; }
  public Double getCpuSecondsPerRequest() { return cpuSecondsPerRequest; }
  public void setCpuSecondsPerRequest(Double cpuSecondsPerRequest) { this.cpuSecondsPerRequest = cpuSecondsPerRequest; }
  public Double getWallSecondsPerRequest() { return wallSecondsPerRequest; }
  public void setWallSecondsPerRequest(Double wallSecondsPerRequest) { this.wallSecondsPerRequest = wallSecondsPerRequest; }
  public Integer getBusyPercent() { return busyPercent; }
  public void setBusyPercent(Integer busyPercent) { this.busyPercent = busyPercent; }
  public Double getCores() { return cores; }
  public void setCores(Double cores) { this.cores = cores; }
  public Integer getConcurrency() { return concurrency; }
  public void setConcurrency(Integer concurrency) { this.concurrency = concurrency; }
  public Integer getRecommendedConcurrency() { return recommendedConcurrency; }
  public void setRecommendedConcurrency(Integer recommendedConcurrency) { this.recommendedConcurrency = recommendedConcurrency; }
  public AdvisorVerdict getVerdict() { return verdict; }
  public void setVerdict(AdvisorVerdict verdict) { this.verdict = verdict; }
  public String getSummary() { return summary; }
  public void setSummary(String summary) { this.summary = summary; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof AdvisorStatus s)) return false;
    return state == s.state && Objects.equals(measuredAt, s.measuredAt) && Objects.equals(window, s.window)
        && Objects.equals(requestsPerSecond, s.requestsPerSecond)
        && Objects.equals(cpuSecondsPerRequest, s.cpuSecondsPerRequest)
        && Objects.equals(wallSecondsPerRequest, s.wallSecondsPerRequest)
        && Objects.equals(busyPercent, s.busyPercent) && Objects.equals(cores, s.cores)
        && Objects.equals(concurrency, s.concurrency) && Objects.equals(recommendedConcurrency, s.recommendedConcurrency)
        && verdict == s.verdict && Objects.equals(summary, s.summary) && Objects.equals(message, s.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, measuredAt, window, requestsPerSecond, cpuSecondsPerRequest, wallSecondsPerRequest,
        busyPercent, cores, concurrency, recommendedConcurrency, verdict, summary, message);
  }

  @Override
  public String toString() {
    return "AdvisorStatus{state=" + state + ", verdict=" + verdict + ", summary=" + summary + ", measuredAt=" + measuredAt + "}";
  }
}
