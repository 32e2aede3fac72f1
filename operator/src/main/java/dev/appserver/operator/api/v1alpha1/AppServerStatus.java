package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppServerStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Progressing, Ready or Degraded.")
  private String phase;

  @JsonPropertyDescription("Ready, Progressing and Degraded conditions.")
  private List<Condition> conditions = new ArrayList<>();

  @StatusReplicas
  @JsonPropertyDescription("Pods that exist for this AppServer.")
  private Integer replicas;

  @JsonPropertyDescription("Pods that are ready.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Pods running the current pod template.")
  private Integer updatedReplicas;

  @JsonPropertyDescription("Ready pods out of desired, as shown by kubectl get (for example 2/2).")
  private String ready;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the pods, for the scale subresource and autoscalers.")
  private String selector;

  @JsonPropertyDescription("Gunicorn worker processes per pod.")
  private Integer workers;

  @JsonPropertyDescription("Threads per worker.")
  private Integer threads;

  @JsonPropertyDescription("Gunicorn worker class the pods run (from spec.workers.workerClass, else the profile).")
  private WorkerClass workerClass;

  @JsonPropertyDescription("Requests one pod serves at once: processes x threads (gthread) or x connections (gevent). Unset for uvicorn, whose event loop takes every request. With an app that holds one database connection per thread, also its connections per pod.")
  private Integer inFlightPerPod;

  @JsonPropertyDescription("inFlightPerPod x the desired replicas: the requests (and per-thread database connections) of the whole AppServer.")
  private Integer inFlight;

  @JsonPropertyDescription("How the worker count, class and concurrency were reached.")
  private String sizing;

  @JsonPropertyDescription("Human-readable summary of the current state.")
  private String message;

  @JsonPropertyDescription("Blue-green rollout state (BlueGreen strategy only).")
  private BlueGreenStatus blueGreen;

  @JsonPropertyDescription("What the sizing advisor measured in Prometheus and recommends (only when the operator is configured with a Prometheus).")
  private AdvisorStatus advisor;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long v) { this.observedGeneration = v; }
  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public Integer getReadyReplicas() { return readyReplicas; }
  public void setReadyReplicas(Integer readyReplicas) { this.readyReplicas = readyReplicas; }
  public Integer getUpdatedReplicas() { return updatedReplicas; }
  public void setUpdatedReplicas(Integer updatedReplicas) { this.updatedReplicas = updatedReplicas; }
  public String getReady() { return ready; }
  public void setReady(String ready) { this.ready = ready; }
  public String getSelector() { return selector; }
  public void setSelector(String selector) { this.selector = selector; }
  public Integer getWorkers() { return workers; }
  public void setWorkers(Integer workers) { this.workers = workers; }
  public Integer getThreads() { return threads; }
  public void setThreads(Integer threads) { this.threads = threads; }
  public WorkerClass getWorkerClass() { return workerClass; }
  public void setWorkerClass(WorkerClass workerClass) { this.workerClass = workerClass; }
  public Integer getInFlightPerPod() { return inFlightPerPod; }
  public void setInFlightPerPod(Integer inFlightPerPod) { this.inFlightPerPod = inFlightPerPod; }
  public Integer getInFlight() { return inFlight; }
  public void setInFlight(Integer inFlight) { this.inFlight = inFlight; }
  public String getSizing() { return sizing; }
  public void setSizing(String sizing) { this.sizing = sizing; }
  public BlueGreenStatus getBlueGreen() { return blueGreen; }
  public void setBlueGreen(BlueGreenStatus blueGreen) { this.blueGreen = blueGreen; }
  public AdvisorStatus getAdvisor() { return advisor; }
  public void setAdvisor(AdvisorStatus advisor) { this.advisor = advisor; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof AppServerStatus s)) return false;
    return Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(phase, s.phase)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(updatedReplicas, s.updatedReplicas)
        && Objects.equals(ready, s.ready)
        && Objects.equals(selector, s.selector)
        && Objects.equals(workers, s.workers)
        && Objects.equals(threads, s.threads)
        && Objects.equals(workerClass, s.workerClass)
        && Objects.equals(inFlightPerPod, s.inFlightPerPod)
        && Objects.equals(inFlight, s.inFlight)
        && Objects.equals(sizing, s.sizing)
        && Objects.equals(message, s.message)
        && Objects.equals(blueGreen, s.blueGreen)
        && Objects.equals(advisor, s.advisor);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, conditions, replicas, readyReplicas, updatedReplicas,
        ready, selector, workers, threads, workerClass, inFlightPerPod, inFlight, sizing, message, blueGreen, advisor);
  }
}
