/**
 * The few fields the operator writes of other projects' custom resources (Prometheus Operator's
 * PodMonitor, KEDA's ScaledObject). Not our API: no CRD is generated from these classes, and the
 * operator creates such an object only when the cluster has its CRD.
 */
package dev.appserver.operator.external;
