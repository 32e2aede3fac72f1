package dev.appserver.operator.admission;

import java.util.Objects;

/**
 * One reason an object is not admitted, in the apiserver's style: {@code field} is the JSON path of the
 * offending value ({@code spec.workers.threads}, {@code spec.env[0].name}; empty for the object as a whole)
 * and {@code message} says what is wrong ({@code Required value}, {@code Invalid value: 70000: must be less
 * than or equal to 65535}, or a CEL rule's message).
 */
public record FieldError(String field, String message) {

  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  /** {@code "spec.workers.threads: <message>"}, or just the message when there is no field. */
  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
