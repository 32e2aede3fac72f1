/**
 * Admission of AppServers without a cluster: {@link dev.appserver.operator.admission.Admission} defaults and
 * validates an object as the kube-apiserver would on create, from the CRD that fabric8's crd-generator
 * writes from the api classes, so the {@code render} command, the reconciler and the apiserver share one set
 * of rules: the schema's defaults, its structural validations and its {@code x-kubernetes-validations} CEL
 * rules (with Kubernetes' quantity library, see {@link dev.appserver.operator.admission.KubernetesQuantity}).
 *
 * <p>Not mirrored: the apiserver's CEL cost limits, {@code format} checks, {@code x-kubernetes-list-type}
 * uniqueness, rules nested in allOf/anyOf/oneOf, transition rules (skipped, as on create), and Kubernetes
 * CEL libraries other than quantity (strings, sets and optionals come from CEL-Java's extensions).
 */
package dev.appserver.operator.admission;
