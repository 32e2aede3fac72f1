package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.threads) || self.threads == 1 || (has(self.workerClass) && self.workerClass == 'gthread')",
    message = "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread",
    fieldPath = ".threads")
@ValidationRule(
    value = "!has(self.memoryPerWorker) || (isQuantity(string(self.memoryPerWorker)) && quantity(string(self.memoryPerWorker)).isGreaterThan(quantity('0')))",
    message = "spec.workers.memoryPerWorker must be a positive quantity such as 128Mi",
    fieldPath = ".memoryPerWorker")
public class WorkersSpec {

  @Min(1)
  @Max(256)
  @JsonPropertyDescription("Explicit number of Gunicorn worker processes. When set, the CPU-based computation, max and memoryPerWorker are ignored.")
  private Integer count;

  @Default("8")
  @Min(1)
  @Max(256)
  @JsonPropertyDescription("Upper bound for the computed worker count floor(2 x cores) + 1. Default 8.")
  private Integer max;

  @JsonPropertyDescription("Memory one worker needs (for example 128Mi). With a memory limit set, the computed worker count is at most floor(memory limit / memoryPerWorker), and never below 1.")
  private Quantity memoryPerWorker;

  @Default("sync")
  @JsonPropertyDescription("Gunicorn worker class: sync (default; one request at a time per worker), gthread (threads per worker), gevent (cooperative, for I/O-bound apps; gevent must be installed in the image), uvicorn (ASGI apps; uvicorn-worker must be installed in the image).")
  private WorkerClass workerClass;

  @Default("1")
  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("Threads per worker. More than 1 only with workerClass gthread. Default 1.")
  private Integer threads;

  public Integer getCount() { return count; }
  public void setCount(Integer count) { this.count = count; }
  public Integer getMax() { return max; }
  public void setMax(Integer max) { this.max = max; }
  public Quantity getMemoryPerWorker() { return memoryPerWorker; }
  public void setMemoryPerWorker(Quantity memoryPerWorker) { this.memoryPerWorker = memoryPerWorker; }
  public WorkerClass getWorkerClass() { return workerClass; }
  public void setWorkerClass(WorkerClass workerClass) { this.workerClass = workerClass; }
  public Integer getThreads() { return threads; }
  public void setThreads(Integer threads) { this.threads = threads; }
}
