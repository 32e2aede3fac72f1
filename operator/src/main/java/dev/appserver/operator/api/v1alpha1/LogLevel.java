package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Gunicorn's log levels. */
public enum LogLevel {
  @JsonProperty("debug")
  DEBUG,
  @JsonProperty("info")
  INFO,
  @JsonProperty("warning")
  WARNING,
  @JsonProperty("error")
  ERROR,
  @JsonProperty("critical")
  CRITICAL;

  public String gunicornName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
