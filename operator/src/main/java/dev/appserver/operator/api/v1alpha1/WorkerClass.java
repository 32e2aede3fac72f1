package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The Gunicorn worker classes the operator supports. */
public enum WorkerClass {
  @JsonProperty("sync")
  SYNC("sync"),
  @JsonProperty("gthread")
  GTHREAD("gthread"),
  @JsonProperty("gevent")
  GEVENT("gevent"),
  @JsonProperty("uvicorn")
  UVICORN("uvicorn_worker.UvicornWorker");

  private final String gunicornName;

  WorkerClass(String gunicornName) {
    this.gunicornName = gunicornName;
  }

  /** The value of Gunicorn's worker_class setting. */
  public String gunicornName() {
    return gunicornName;
  }
}
