package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sharding by namespace (docs/operations.md): two operator processes, the shaded jar each, with
 * disjoint WATCH_NAMESPACES and a Lease of their own each, as two chart releases with different
 * watchNamespaces run. Each reconciles its own namespace's AppServers and never the other's.
 */
class ShardingE2E extends ProcessE2ESupport {
  /** The second shard's namespace; {@link #ns} is the first's. */
  String other;

  @Override
  String namespacePrefix() {
    return "shard-a-";
  }

  @BeforeEach
  void otherNamespace() {
    other = "shard-b-" + ns.substring(namespacePrefix().length());
    Kubectl.run("create", "namespace", other).ok();
  }

  @AfterEach
  void deleteOtherNamespace() {
    Kubectl.run("delete", "namespace", other, "--wait=false");
  }

  /** Leader election on, with the default Lease name in the shard's own namespace, as each release has its own. */
  OperatorProcess shard(String name, String namespace) {
    return start(name, Map.of(
        "WATCH_NAMESPACES", namespace,
        "LEADER_ELECTION_ENABLED", "true",
        "LEADER_ELECTION_NAMESPACE", namespace,
        "POD_NAME", name));
  }

  static void apply(String namespace, String name, int replicas) {
    Kubectl.runWithInput("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: %s}
        spec: {image: example/app:1, app: "app:app", replicas: %d}
        """.formatted(name, replicas), "-n", namespace, "apply", "-f", "-").ok();
  }

  static void awaitReady(String namespace, String name, int replicas) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
        (replicas + "/" + replicas + " True").equals(Kubectl.run("-n", namespace, "get", "appserver", name, "-o",
            "jsonpath={.status.ready} {.status.conditions[?(@.type==\"Ready\")].status}").out()));
  }

  static String observedGeneration(String namespace, String name) {
    return Kubectl.run("-n", namespace, "get", "appserver", name, "-o", "jsonpath={.status.observedGeneration}").ok().out();
  }

  /** The AppServer's observed generation and its Deployment's replicas, read in one request. */
  static String untouched(String namespace) {
    return Kubectl.run("-n", namespace, "get", "appserver/web", "deployment/web", "-o",
        "jsonpath={.items[0].status.observedGeneration} {.items[1].spec.replicas}").ok().out();
  }

  /** The namespaces this operator has reconciled an AppServer in, by its per-AppServer workers gauge. */
  static String reconciledNamespaces(OperatorProcess operator) {
    var m = java.util.regex.Pattern.compile("(?m)^appserver_workers\\{[^}]*namespace=\"([^\"]+)\"").matcher(operator.metrics());
    var namespaces = new java.util.TreeSet<String>();
    while (m.find()) namespaces.add(m.group(1));
    return String.join(",", namespaces);
  }

  @Test
  void operatorsWithDisjointNamespacesReconcileOnlyTheirOwnAppServers() {
    var a = shard("shard-a", ns).awaitReady();
    var b = shard("shard-b", other).awaitReady();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.isLeader() && b.isLeader());
    apply(ns, "web", 1);
    apply(other, "web", 1);
    awaitReady(ns, "web", 1);
    awaitReady(other, "web", 1);
    assertThat(reconciledNamespaces(a)).as("namespaces operator a reconciled in").isEqualTo(ns);
    assertThat(reconciledNamespaces(b)).as("namespaces operator b reconciled in").isEqualTo(other);

    // With b stopped, a change in b's namespace waits for b: a does not pick it up, while it handles its own.
    assertThat(b.terminate(Duration.ofSeconds(30))).isZero();
    String otherGeneration = observedGeneration(other, "web");
    apply(ns, "web", 2);
    apply(other, "web", 2);
    awaitReady(ns, "web", 2);
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(60)).until(() ->
        untouched(other).equals(otherGeneration + " 1"));
    assertThat(reconciledNamespaces(a)).isEqualTo(ns);

    // b's own operator, back, catches up.
    var b2 = shard("shard-b-again", other).awaitReady();
    awaitReady(other, "web", 2);
    assertThat(reconciledNamespaces(b2)).isEqualTo(other);
  }
}
