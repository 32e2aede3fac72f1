// Command kstatus prints the kstatus verdict of Kubernetes objects: the status
// (Current, InProgress, Failed, Terminating, ...) that GitOps tools such as Flux,
// Helm's --wait and kpt compute with sigs.k8s.io/cli-utils/pkg/kstatus/status.
//
//	kstatus [-o text|json] < objects.yaml
//	    reads YAML or JSON documents (lists too, as `kubectl get -o json` prints them)
//	kstatus -kubeconfig FILE -resource GROUP/VERSION/RESOURCE [-n NAMESPACE] [-o ...] [NAME...]
//	    reads the named objects (all in the namespace without names) from the API server
//
// One line per object; `-o json` prints one JSON object per line with the fields
// kind, namespace, name, status and message. Exit status 1 on an error.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "read the objects from this cluster instead of stdin")
	resource := flag.String("resource", "", "GROUP/VERSION/RESOURCE to read with -kubeconfig, e.g. appserver.dev/v1alpha1/appservers")
	namespace := flag.String("n", "default", "namespace, with -kubeconfig")
	output := flag.String("o", "text", "text or json")
	flag.Parse()
	if *output != "text" && *output != "json" {
		fail(fmt.Errorf("-o must be text or json, not %q", *output))
	}

	var objects []*unstructured.Unstructured
	var err error
	if *kubeconfig != "" {
		objects, err = fromCluster(*kubeconfig, *resource, *namespace, flag.Args())
	} else {
		objects, err = fromReader(os.Stdin)
	}
	if err != nil {
		fail(err)
	}

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, u := range objects {
		res, err := status.Compute(u)
		if err != nil {
			fail(fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err))
		}
		v := verdict{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
			Status: res.Status.String(), Message: res.Message}
		if *output == "json" {
			line, _ := json.Marshal(v)
			fmt.Fprintln(out, string(line))
		} else {
			fmt.Fprintf(out, "%s %s/%s: %s: %s\n", v.Kind, v.Namespace, v.Name, v.Status, v.Message)
		}
	}
}

func fromReader(r io.Reader) ([]*unstructured.Unstructured, error) {
	decoder := yaml.NewYAMLOrJSONDecoder(r, 4096)
	var objects []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return objects, nil
			}
			return nil, fmt.Errorf("reading the objects: %w", err)
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		// The unstructured scheme keeps integers as int64 (kstatus compares generations).
		obj, _, err := unstructured.UnstructuredJSONScheme.Decode(raw, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("reading the objects: %w", err)
		}
		switch o := obj.(type) {
		case *unstructured.UnstructuredList:
			for i := range o.Items {
				objects = append(objects, &o.Items[i])
			}
		case *unstructured.Unstructured:
			objects = append(objects, o)
		default:
			return nil, fmt.Errorf("reading the objects: unexpected %T", obj)
		}
	}
}

func fromCluster(kubeconfig, resource, namespace string, names []string) ([]*unstructured.Unstructured, error) {
	parts := strings.Split(resource, "/")
	if len(parts) != 3 {
		return nil, fmt.Errorf("-resource must be GROUP/VERSION/RESOURCE, not %q", resource)
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	gvr := schema.GroupVersionResource{Group: parts[0], Version: parts[1], Resource: parts[2]}
	api := client.Resource(gvr).Namespace(namespace)
	ctx := context.Background()
	if len(names) == 0 {
		list, err := api.List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		objects := make([]*unstructured.Unstructured, 0, len(list.Items))
		for i := range list.Items {
			objects = append(objects, &list.Items[i])
		}
		return objects, nil
	}
	objects := make([]*unstructured.Unstructured, 0, len(names))
	for _, name := range names {
		u, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		objects = append(objects, u)
	}
	return objects, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kstatus:", err)
	os.Exit(1)
}
