package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.chart.Helm;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart against the local control plane: what helm template renders is accepted by the API
 * server (PodSecurity "restricted" enforced, warnings as errors), and helm install, upgrade and
 * uninstall work. KWOK runs no containers, so the operator pod is Ready without running; what the
 * operator does with the chart's identity is OperatorRbacE2E's, and helm test cannot run here.
 */
class ChartInstallE2E {
  static KubernetesClient admin;

  @BeforeAll
  static void crd() {
    Kubectl.run("apply", "--server-side", "--force-conflicts", "-f",
        Helm.chart().resolve("crds").toString()).ok();
    admin = new KubernetesClientBuilder().build();
  }

  @AfterAll
  static void close() {
    if (admin != null) admin.close();
  }

  static String restrictedNamespace(String prefix) {
    String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    Kubectl.runWithInput("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: %s
          labels:
            pod-security.kubernetes.io/enforce: restricted
            pod-security.kubernetes.io/warn: restricted
        """.formatted(ns), "apply", "-f", "-").ok();
    return ns;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"", "watchNamespaces={WATCHED}", "replicaCount=2,logFormat=text,leaderElection.namespace=WATCHED",
      "leaderElection.enabled=false,rbac.create=false,serviceAccount.create=false,serviceAccount.name=default"})
  void renderedManifestsAreAcceptedByTheApiServer(String set) {
    String ns = restrictedNamespace("chart-dry");
    String watched = restrictedNamespace("chart-watched");
    try {
      List<String> sets = new ArrayList<>();
      if (!set.isEmpty()) sets.add(set.replace("WATCHED", watched));
      String rendered = Helm.run(Helm.templateArgs("dry", ns, sets.toArray(String[]::new))).ok().out();
      var result = Kubectl.runWithInput(rendered, "apply", "--dry-run=server", "--warnings-as-errors", "-f", "-");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).contains("deployment.apps/dry-appserver-operator created (server dry run)",
          "pod/dry-appserver-operator-test-readyz created (server dry run)");
      var crd = Kubectl.runWithInput(Helm.run("template", "dry", Helm.chart().toString(), "--include-crds",
          "--show-only", "crds/appservers.appserver.dev-v1.yml").out(), "apply", "--server-side", "--dry-run=server",
          "--force-conflicts", "-f", "-");
      assertThat(crd.exitCode()).as(crd.err()).isZero();
    } finally {
      Kubectl.run("delete", "namespace", ns, watched, "--wait=false");
    }
  }

  @Test
  void installUpgradeAndUninstall() {
    String ns = restrictedNamespace("chart-install");
    String watched = restrictedNamespace("chart-watched");
    String release = "inst-" + ns.substring(ns.lastIndexOf('-') + 1);
    String name = release + "-appserver-operator";
    try {
      var install = Helm.run("install", release, Helm.chart().toString(), "-n", ns, "--wait", "--timeout", "2m").ok();
      assertThat(install.out()).contains("STATUS: deployed", "Watching: all namespaces", "kubectl apply --server-side");
      var deployment = admin.apps().deployments().inNamespace(ns).withName(name).get();
      assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(1);
      assertThat(admin.serviceAccounts().inNamespace(ns).withName(name).get()).isNotNull();
      assertThat(admin.services().inNamespace(ns).withName(name + "-metrics").get()).isNotNull();
      assertThat(admin.rbac().clusterRoles().withName(name).get()).isNotNull();
      assertThat(admin.rbac().clusterRoleBindings().withName(name).get()).isNotNull();
      assertThat(admin.rbac().roles().inNamespace(ns).withName(name + "-leader-election").get()).isNotNull();
      assertThat(Helm.run("get", "hooks", release, "-n", ns).ok().out()).contains("helm.sh/hook: test", "/readyz");

      // Two replicas, then only one namespace: the ClusterRole gives way to a Role there.
      Helm.run("upgrade", release, Helm.chart().toString(), "-n", ns, "--reuse-values", "--set", "replicaCount=2",
          "--wait", "--timeout", "2m").ok();
      assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get().getStatus().getReadyReplicas()).isEqualTo(2);
      Helm.run("upgrade", release, Helm.chart().toString(), "-n", ns, "--reuse-values",
          "--set", "watchNamespaces={" + watched + "}", "--wait", "--timeout", "2m").ok();
      assertThat(admin.rbac().clusterRoles().withName(name).get()).isNull();
      assertThat(admin.rbac().clusterRoleBindings().withName(name).get()).isNull();
      assertThat(admin.rbac().roles().inNamespace(watched).withName(name).get()).isNotNull();
      assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("WATCH_NAMESPACES");
            assertThat(e.getValue()).isEqualTo(watched);
          });

      // A bad value never reaches the cluster.
      var bad = Helm.run("upgrade", release, Helm.chart().toString(), "-n", ns, "--reuse-values", "--set", "logFormat=xml");
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.err()).contains("at '/logFormat': value must be one of 'text', 'json'");

      Helm.run("uninstall", release, "-n", ns, "--wait", "--timeout", "2m").ok();
      assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get()).isNull();
      assertThat(admin.serviceAccounts().inNamespace(ns).withName(name).get()).isNull();
      assertThat(admin.rbac().roles().inNamespace(watched).withName(name).get()).isNull();
      assertThat(admin.rbac().roles().inNamespace(ns).withName(name + "-leader-election").get()).isNull();
      // Helm leaves the CRD of crds/ (and so every AppServer) in place.
      assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("appservers.appserver.dev").get()).isNotNull();
    } finally {
      Helm.run("uninstall", release, "-n", ns, "--wait", "--timeout", "2m");
      Kubectl.run("delete", "namespace", ns, watched, "--wait=false");
    }
  }
}
