// The pod sandbox ("pause") program of the local cluster's real node: the process
// that holds a pod's namespaces. Built by hack/build-tools.sh into a one-file image.
module appserver-operator/hack/tools/pause

go 1.25.0
