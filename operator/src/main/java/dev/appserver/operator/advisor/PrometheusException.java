package dev.appserver.operator.advisor;

/**
 * Prometheus did not give a query result. {@link #summary()} says so in a few stable words (it
 * goes into status, where a changing text would mean a write), the message in full (for the log).
 */
public final class PrometheusException extends Exception {
  private final String summary;

  PrometheusException(String summary, String message, Throwable cause) {
    super(message, cause);
    this.summary = summary;
  }

  PrometheusException(String summary, String message) {
    this(summary, message, null);
  }

  /** For example {@code HTTP 503}, {@code no answer (ConnectException)}, {@code not a query result}. */
  public String summary() {
    return summary;
  }
}
