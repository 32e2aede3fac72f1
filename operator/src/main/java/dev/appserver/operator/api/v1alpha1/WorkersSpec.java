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
    value = "!has(self.threads) || self.threads == 1 || (has(self.workerClass) ? self.workerClass == 'gthread' : (has(self.profile) && self.profile == 'io'))",
    message = "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread (or spec.workers.profile io with no workerClass, which runs gthread)",
    fieldPath = ".threads")
@ValidationRule(
    value = "!has(self.profile) || self.profile != 'io' || !has(self.threads) || self.threads > 1",
    message = "spec.workers.threads 1 with spec.workers.profile io serves one request per process, as profile cpu does: remove threads to have them computed from spec.workers.concurrency, or set more than 1",
    fieldPath = ".threads")
@ValidationRule(
    value = "!has(self.profile) || self.profile != 'io' || !has(self.workerClass) || self.workerClass != 'sync'",
    message = "spec.workers.workerClass sync serves one request per process, which spec.workers.profile io exists to avoid: remove workerClass (profile io runs gthread) or choose gevent or uvicorn",
    fieldPath = ".workerClass")
@ValidationRule(
    value = "!has(self.concurrency) || (has(self.profile) && self.profile == 'io')",
    message = "spec.workers.concurrency needs spec.workers.profile io (with profile cpu, size gthread yourself with workerClass gthread and threads)",
    fieldPath = ".concurrency")
@ValidationRule(
    value = "!has(self.concurrency) || !has(self.threads)",
    message = "spec.workers.concurrency and spec.workers.threads both set the threads per process: set one of them",
    fieldPath = ".concurrency")
@ValidationRule(
    value = "!has(self.concurrency) || !has(self.workerClass) || self.workerClass != 'uvicorn'",
    message = "spec.workers.concurrency cannot be applied to workerClass uvicorn: its event loop takes every request Gunicorn accepts (limit concurrency in the application)",
    fieldPath = ".concurrency")
@ValidationRule(
    value = "!has(self.memoryPerWorker) || (isQuantity(string(self.memoryPerWorker)) && quantity(string(self.memoryPerWorker)).isGreaterThan(quantity('0')))",
    message = "spec.workers.memoryPerWorker must be a positive quantity such as 128Mi",
    fieldPath = ".memoryPerWorker")
public class WorkersSpec {

  /** Requests in flight per pod the operator may be asked for: as many as one process may run threads. */
  public static final int MAX_CONCURRENCY = 1024;
  /** Schema defaults, also applied by the model to a WorkersSpec built without admission's defaulting. */
  public static final String DEFAULT_PROFILE = "cpu";
  public static final int DEFAULT_MAX = 8;

  @Default(DEFAULT_PROFILE)
  @JsonPropertyDescription("How the application spends a request's time. cpu (default): mostly computing; sync workers, one request per process. io: mostly waiting on a database or an API; gthread workers (or an explicit gevent or uvicorn), as many processes as cpu, each running several requests at once (see concurrency). See docs/sizing.md.")
  private WorkloadProfile profile;

  @Min(1)
  @Max(MAX_CONCURRENCY)
  @JsonPropertyDescription("Requests in flight per pod the application should sustain (profile io only). Spread over the processes as threads (gthread) or connections per process (gevent), rounded up; fewer than the computed processes lowers the process count to it. Unset with profile io: 64 threads per gthread process, Gunicorn's 1000 connections per gevent process. Also the number of database connections an app that holds one per thread opens.")
  private Integer concurrency;

  @Min(1)
  @Max(256)
  @JsonPropertyDescription("Explicit number of Gunicorn worker processes. When set, the CPU-based computation, max and memoryPerWorker are ignored.")
  private Integer count;

  @Default("" + DEFAULT_MAX)
  @Min(1)
  @Max(256)
  @JsonPropertyDescription("Upper bound for the computed worker count floor(2 x cores) + 1. Default 8.")
  private Integer max;

  @JsonPropertyDescription("Memory one worker needs (for example 128Mi). With a memory limit set, the computed worker count is at most floor(memory limit / memoryPerWorker), and never below 1.")
  private Quantity memoryPerWorker;

  @JsonPropertyDescription("Gunicorn worker class: sync (one request at a time per worker; the default with profile cpu), gthread (threads per worker; the default with profile io), gevent (cooperative, for I/O-bound apps; gevent must be installed in the image), uvicorn (ASGI apps, uvicorn_worker.UvicornWorker; the uvicorn-worker package must be installed in the image).")
  private WorkerClass workerClass;

  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("Threads per worker, overriding what profile io computes. More than 1 only with the gthread worker class. Unset: 1 with profile cpu; from concurrency with profile io.")
  private Integer threads;

  public WorkloadProfile getProfile() { return profile; }
  public void setProfile(WorkloadProfile profile) { this.profile = profile; }
  public Integer getConcurrency() { return concurrency; }
  public void setConcurrency(Integer concurrency) { this.concurrency = concurrency; }
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
