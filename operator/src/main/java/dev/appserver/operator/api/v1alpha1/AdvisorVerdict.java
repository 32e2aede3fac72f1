package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the requests one pod serves at once compare with what its CPU can keep up with. */
public enum AdvisorVerdict {
  /** Within a factor of 2 of the recommendation, either way. */
  @JsonProperty("Ok")
  OK,
  /** Less than half the recommendation: requests wait while the CPU could serve them. */
  @JsonProperty("RaiseConcurrency")
  RAISE_CONCURRENCY,
  /** More than twice the recommendation: requests wait inside the pod for a CPU that is used up. */
  @JsonProperty("LowerConcurrency")
  LOWER_CONCURRENCY,
  /** Gunicorn does not cap the requests in flight (uvicorn): the recommendation is for the application. */
  @JsonProperty("NotCapped")
  NOT_CAPPED
}
