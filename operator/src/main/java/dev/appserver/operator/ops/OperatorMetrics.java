package dev.appserver.operator.ops;

/**
 * The operator's own metrics, beside JOSDK's reconcile metrics. The reconciler calls these; every
 * method does nothing by default, so {@link #NOOP} serves tests and code that does not care.
 *
 * <p>Exposed on /metrics (Prometheus names):
 *
 * <ul>
 *   <li>{@code appserver_rollouts_started_total{namespace}}
 *   <li>{@code appserver_rollouts_promoted_total{namespace}}
 *   <li>{@code appserver_rollouts_abandoned_total{namespace}}
 *   <li>{@code appserver_workers{namespace,name}}: Gunicorn workers per pod of each AppServer
 * </ul>
 */
public interface OperatorMetrics {
  OperatorMetrics NOOP = new OperatorMetrics() {};

  /** A rollout of a new revision began. */
  default void rolloutStarted(String namespace, String name) {}

  /** A rollout finished: the new revision serves all traffic. */
  default void rolloutPromoted(String namespace, String name) {}

  /** A rollout was given up: the previous revision keeps serving. */
  default void rolloutAbandoned(String namespace, String name) {}

  /** The Gunicorn workers per pod the AppServer now runs with (status.workers). */
  default void workers(String namespace, String name, int workers) {}

  /** The AppServer is gone: drop its per-AppServer series. */
  default void forget(String namespace, String name) {}
}
