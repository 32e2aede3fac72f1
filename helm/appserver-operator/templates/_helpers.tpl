{{/* Chart name, at most 63 characters. */}}
{{- define "appserver-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name: the release name alone when it already contains the chart name. */}}
{{- define "appserver-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "appserver-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every resource of the release carries. */}}
{{- define "appserver-operator.labels" -}}
helm.sh/chart: {{ include "appserver-operator.chart" . }}
{{ include "appserver-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: appserver-operator
{{- end }}

{{/* Labels that select the operator pods. */}}
{{- define "appserver-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "appserver-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "appserver-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "appserver-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "appserver-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "appserver-operator.leaseName" -}}
{{- default (include "appserver-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "appserver-operator.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{- define "appserver-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "appserver-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The rules of the operator's (Cluster)Role: exactly the requests it makes, as the OperatorRbacE2E
test checks against a recording of them. Reads are get/list/watch (informers); children are
written with server-side apply (patch, plus create when the object is new; ConfigMaps with
create and update); children the plan no longer names are deleted (optional ones turned off,
blue-green colours and the preview Service when the strategy changes); the rest go by garbage
collection through their owner reference. AppServers are patched only to remove the
promote/abort/retry annotations once acted on; services/proxy is the pre-promotion check.
*/}}
{{- define "appserver-operator.rules" -}}
- apiGroups: ["appserver.dev"]
  resources: ["appservers"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["appserver.dev"]
  resources: ["appservers/status"]
  verbs: ["patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services/proxy"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["keda.sh"]
  resources: ["scaledobjects"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- if has "Secret" .Values.envSources.watch }}
# Secrets that pods read env from: listed and watched to hash them (a digest per key is all the
# operator keeps); never get, never written.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch"]
{{- end }}
{{- end }}

{{/* A duration of the schema's form (500ms, 15s, 1m) in milliseconds. */}}
{{- define "appserver-operator.millis" -}}
{{- $n := regexFind "^[0-9]+" . | int -}}
{{- if hasSuffix "ms" . }}{{ $n }}{{ else if hasSuffix "m" . }}{{ mul $n 60000 }}{{ else }}{{ mul $n 1000 }}{{ end -}}
{{- end }}

{{/* Checks across values that values.schema.json cannot express with a clear message. */}}
{{- define "appserver-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without a Lease every replica would reconcile the same AppServers" }}
{{- end }}
{{- if .Values.leaderElection.enabled }}
{{- $lease := include "appserver-operator.millis" .Values.leaderElection.leaseDuration | int }}
{{- $renew := include "appserver-operator.millis" .Values.leaderElection.renewDeadline | int }}
{{- $retry := include "appserver-operator.millis" .Values.leaderElection.retryPeriod | int }}
{{- if ge $renew $lease }}
{{- fail (printf "leaderElection.renewDeadline (%s) must be shorter than leaderElection.leaseDuration (%s)" .Values.leaderElection.renewDeadline .Values.leaderElection.leaseDuration) }}
{{- end }}
{{- if ge $retry $renew }}
{{- fail (printf "leaderElection.retryPeriod (%s) must be shorter than leaderElection.renewDeadline (%s)" .Values.leaderElection.retryPeriod .Values.leaderElection.renewDeadline) }}
{{- end }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "serviceMonitor.enabled needs metrics.service.enabled=true: the ServiceMonitor scrapes through that Service" }}
{{- end }}
{{- if and .Values.tests.enabled (not .Values.metrics.service.enabled) }}
{{- fail "tests.enabled needs metrics.service.enabled=true: helm test checks /readyz through that Service (or set tests.enabled=false)" }}
{{- end }}
{{- end }}
