package dev.appserver.operator.model;

/**
 * One AppServer's pods as Prometheus saw them over the advisor's window, summed over the pods.
 * A figure Prometheus had no series for is NaN.
 *
 * @param requestsPerSecond requests answered per second (the duration histogram's count rate)
 * @param wallSecondsPerSecond request wall time per second (its sum rate): the requests in flight on average
 * @param cpuSecondsPerSecond CPU time of the worker processes per second: the cores they used
 * @param capacity requests the pods serve at once, averaged over the window
 * @param pods pods that served metrics, averaged over the window
 */
public record Measurement(
    double requestsPerSecond, double wallSecondsPerSecond, double cpuSecondsPerSecond, double capacity, double pods) {}
