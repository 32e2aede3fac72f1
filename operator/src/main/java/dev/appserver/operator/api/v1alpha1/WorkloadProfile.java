package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the application spends a request's time, which decides the worker class and its concurrency. */
public enum WorkloadProfile {
  /** Mostly computing: sync workers, one request per process. */
  @JsonProperty("cpu")
  CPU,
  /** Mostly waiting (a database, an API): gthread workers with many threads each. */
  @JsonProperty("io")
  IO
}
