package dev.appserver.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appserver.operator.e2e.Kubectl;
import dev.appserver.operator.ops.OperatorConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart as helm lint and helm template see it, with the helm binary the project builds
 * (make test-helm). What the cluster makes of it is in the E2E tests.
 */
class ChartHelmTest {
  static final String NS = "appserver-system";

  /** What the operator's (Cluster)Role grants: the requests OperatorRbacE2E sees it make. */
  static final Map<String, Set<String>> OPERATOR_GRANTS = Map.ofEntries(
      Map.entry("appserver.dev/appservers", Set.of("get", "list", "watch", "patch")),
      Map.entry("appserver.dev/appservers/status", Set.of("patch")),
      Map.entry("apps/deployments", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("/configmaps", Set.of("list", "watch", "create", "update", "delete")),
      Map.entry("/services", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("/services/proxy", Set.of("get")),
      Map.entry("policy/poddisruptionbudgets", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("autoscaling/horizontalpodautoscalers", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("keda.sh/scaledobjects", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("monitoring.coreos.com/podmonitors", Set.of("list", "watch", "create", "patch", "delete")),
      Map.entry("/secrets", Set.of("list", "watch")),
      Map.entry("/events", Set.of("create")));

  static Deployment deployment(Manifests m) {
    return Manifests.as(m.get("Deployment", "op-appserver-operator"), Deployment.class);
  }

  static Map<String, String> env(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "",
      "watchNamespaces={team-a,team-b}",
      "replicaCount=2,serviceMonitor.enabled=true,logFormat=text",
      "leaderElection.enabled=false,tests.enabled=false,metrics.service.enabled=false,rbac.create=false",
      "serviceAccount.create=false,serviceAccount.name=existing,image.digest=sha256:"
          + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void lintPassesStrictly(String sets) {
    List<String> args = new ArrayList<>(List.of("lint", "--strict", Helm.chart().toString()));
    if (!sets.isEmpty()) args.addAll(List.of("--set", sets));
    var result = Helm.run(args.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out()).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @Test
  void defaultsRenderAClusterWideOperatorWithLeaderElection() {
    var m = Helm.template("op", NS);
    assertThat(m.ids()).containsExactlyInAnyOrder(
        "ServiceAccount/" + NS + "/op-appserver-operator",
        "ClusterRole//op-appserver-operator",
        "ClusterRoleBinding//op-appserver-operator",
        "Role/" + NS + "/op-appserver-operator-leader-election",
        "RoleBinding/" + NS + "/op-appserver-operator-leader-election",
        "Service/" + NS + "/op-appserver-operator-metrics",
        "Deployment/" + NS + "/op-appserver-operator",
        "Pod/" + NS + "/op-appserver-operator-test-readyz");
    assertThat(Manifests.grants(Manifests.rules(m.get("ClusterRole", "op-appserver-operator")))).isEqualTo(OPERATOR_GRANTS);
    var binding = m.get("ClusterRoleBinding", "op-appserver-operator");
    assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo("op-appserver-operator");
    assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo(NS);
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo("op-appserver-operator");

    var d = deployment(m);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("op-appserver-operator");
    assertThat(env(d)).containsEntry("WATCH_NAMESPACES", "")
        .containsEntry("LEADER_ELECTION_ENABLED", "true")
        .containsEntry("LEADER_ELECTION_LEASE_NAME", "op-appserver-operator")
        .containsEntry("LEADER_ELECTION_NAMESPACE", NS)
        .containsEntry("METRICS_PORT", "8080")
        .containsEntry("LOG_FORMAT", "json");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("appserver-operator:0.1.0");
  }

  @Test
  void secretsAreGrantedOnlyWhileTheirChangesRollPods() {
    assertThat(env(deployment(Helm.template("op", NS)))).containsEntry("ENV_SOURCE_KINDS", "ConfigMap,Secret");
    var configMapsOnly = Helm.template("op", NS, "envSources.watch={ConfigMap}");
    assertThat(env(deployment(configMapsOnly))).containsEntry("ENV_SOURCE_KINDS", "ConfigMap");
    var grants = Manifests.grants(Manifests.rules(configMapsOnly.get("ClusterRole", "op-appserver-operator")));
    assertThat(grants).doesNotContainKey("/secrets").containsKey("/configmaps");
    var none = Helm.template("op", NS, "envSources.watch=null");
    assertThat(Manifests.grants(Manifests.rules(none.get("ClusterRole", "op-appserver-operator")))).doesNotContainKey("/secrets");
  }

  @Test
  void prometheusUrlReachesTheOperatorOnlyWhenSet() {
    assertThat(env(deployment(Helm.template("op", NS)))).doesNotContainKey("PROMETHEUS_URL");
    assertThat(env(deployment(Helm.template("op", NS, "prometheus.url=http://prometheus.monitoring:9090"))))
        .containsEntry("PROMETHEUS_URL", "http://prometheus.monitoring:9090");
    var bad = Helm.run("template", "op", Helm.chart().toString(), "--set", "prometheus.url=prometheus:9090");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("/prometheus/url").contains("prometheus:9090");
  }

  @Test
  void leaderElectionRoleCoversOnlyItsOwnLease() {
    var m = Helm.template("op", NS, "leaderElection.leaseName=my-lock", "leaderElection.namespace=locks");
    var role = m.get("Role", "op-appserver-operator-leader-election");
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo("locks");
    assertThat(Manifests.grants(Manifests.rules(role))).isEqualTo(Map.of(
        "coordination.k8s.io/leases", Set.of("create"),
        "coordination.k8s.io/leases[my-lock]", Set.of("get", "update", "patch")));
    assertThat(m.get("RoleBinding", "op-appserver-operator-leader-election").path("metadata").path("namespace").asText())
        .isEqualTo("locks");
    assertThat(env(deployment(m))).containsEntry("LEADER_ELECTION_LEASE_NAME", "my-lock")
        .containsEntry("LEADER_ELECTION_NAMESPACE", "locks");

    var off = Helm.template("op", NS, "leaderElection.enabled=false");
    assertThat(off.ofKind("Role")).isEmpty();
    assertThat(env(deployment(off))).containsEntry("LEADER_ELECTION_ENABLED", "false")
        .doesNotContainKeys("LEADER_ELECTION_LEASE_NAME", "LEADER_ELECTION_NAMESPACE");
  }

  @Test
  void watchNamespacesGetARoleEachAndNothingClusterWide() {
    var m = Helm.template("op", NS, "watchNamespaces={team-a,team-b}");
    assertThat(m.ofKind("ClusterRole")).isEmpty();
    assertThat(m.ofKind("ClusterRoleBinding")).isEmpty();
    for (String ns : List.of("team-a", "team-b")) {
      var roles = m.ofKind("Role").stream().filter(r -> ns.equals(r.path("metadata").path("namespace").asText())).toList();
      assertThat(roles).hasSize(1);
      assertThat(Manifests.grants(Manifests.rules(roles.get(0)))).isEqualTo(OPERATOR_GRANTS);
      var bindings = m.ofKind("RoleBinding").stream().filter(r -> ns.equals(r.path("metadata").path("namespace").asText())).toList();
      assertThat(bindings).hasSize(1);
      assertThat(bindings.get(0).path("subjects").get(0).path("namespace").asText()).isEqualTo(NS);
    }
    assertThat(env(deployment(m))).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void noRuleUsesAWildcard() {
    for (String sets : List.of("watchNamespaces={a}", "replicaCount=3", "leaderElection.namespace=x")) {
      var m = Helm.template("op", NS, sets);
      for (JsonNode role : Stream.concat(m.ofKind("ClusterRole").stream(), m.ofKind("Role").stream()).toList()) {
        for (var rule : Manifests.rules(role)) {
          assertThat(rule.getVerbs()).doesNotContain("*");
          assertThat(rule.getResources()).noneMatch(r -> r.contains("*"));
          assertThat(rule.getApiGroups()).doesNotContain("*");
          assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        }
      }
    }
  }

  @Test
  void rbacAndServiceAccountCanBeLeftToTheUser() {
    var m = Helm.template("op", NS, "rbac.create=false", "serviceAccount.create=false", "serviceAccount.name=ops-sa");
    assertThat(m.ofKind("ServiceAccount")).isEmpty();
    assertThat(m.ofKind("ClusterRole")).isEmpty();
    assertThat(m.ofKind("Role")).isEmpty();
    assertThat(deployment(m).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ops-sa");
  }

  @Test
  void podsRunRestricted() {
    var m = Helm.template("op", NS);
    var operatorPod = deployment(m).getSpec().getTemplate().getSpec();
    var testPod = Manifests.as(m.get("Pod", "op-appserver-operator-test-readyz"), Pod.class).getSpec();
    for (PodSpec pod : List.of(operatorPod, testPod)) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      Container c = pod.getContainers().get(0);
      assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(c.getSecurityContext().getRunAsUser()).isPositive();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(c.getVolumeMounts()).anySatisfy(v -> assertThat(v.getMountPath()).isEqualTo("/tmp"));
      assertThat(c.getResources().getLimits()).containsKey("memory");
    }
    assertThat(testPod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void probesAndTheMetricsServiceUseTheMetricsPort() {
    var m = Helm.template("op", NS, "metrics.port=9100", "metrics.service.port=9200");
    var c = deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("metrics");
      assertThat(p.getContainerPort()).isEqualTo(9100);
    });
    assertThat(env(deployment(m))).containsEntry("METRICS_PORT", "9100");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    var svc = m.get("Service", "op-appserver-operator-metrics");
    assertThat(svc.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(9200);
    assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("metrics");
    var selector = svc.path("spec").path("selector");
    var podLabels = deployment(m).getSpec().getTemplate().getMetadata().getLabels();
    assertThat(selector.size()).as("the metrics Service selects by labels").isPositive();
    selector.fields().forEachRemaining(e -> assertThat(podLabels).containsEntry(e.getKey(), e.getValue().asText()));
    var test = Manifests.as(m.get("Pod", "op-appserver-operator-test-readyz"), Pod.class);
    assertThat(test.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "test");
    assertThat(test.getSpec().getContainers().get(0).getArgs())
        .containsExactly("probe", "http://op-appserver-operator-metrics." + NS + ".svc:9200/readyz");
  }

  @Test
  void serviceMonitorIsOptionalAndSelectsTheMetricsService() {
    assertThat(Helm.template("op", NS).ofKind("ServiceMonitor")).isEmpty();
    var m = Helm.template("op", NS, "serviceMonitor.enabled=true", "serviceMonitor.labels.release=prom",
        "serviceMonitor.interval=15s");
    var sm = m.get("ServiceMonitor", "op-appserver-operator");
    assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.path("metadata").path("labels").path("release").asText()).isEqualTo("prom");
    var endpoint = sm.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
    var svcLabels = m.get("Service", "op-appserver-operator-metrics").path("metadata").path("labels");
    assertThat(sm.path("spec").path("selector").path("matchLabels").size()).as("the ServiceMonitor selects by labels").isPositive();
    sm.path("spec").path("selector").path("matchLabels").fields()
        .forEachRemaining(e -> assertThat(svcLabels.path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
  }

  @Test
  void everyEnvironmentVariableTheChartSetsIsOneTheOperatorReads() {
    var m = Helm.template("op", NS, "extraEnv[0].name=EXTRA", "extraEnv[0].value=1");
    Set<String> known = new TreeSet<>(Arrays.stream(OperatorConfig.Option.values()).map(o -> o.env).toList());
    known.addAll(List.of("LOG_LEVEL", "POD_NAME", "POD_NAMESPACE", "JAVA_OPTS", "EXTRA"));
    var names = deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .map(EnvVar::getName).toList();
    assertThat(known).containsAll(names);
    assertThat(names).contains("EXTRA");
  }

  @Test
  void theSizingAdvisorIsTunedOnlyWithAPrometheus() {
    var env = deployment(Helm.template("op", NS)).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("ADVISOR_") || n.equals("PROMETHEUS_URL"));
    var on = deployment(Helm.template("op", NS, "prometheus.url=http://prometheus-operated.monitoring.svc:9090",
        "advisor.interval=30s")).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(on).filteredOn(e -> e.getName().startsWith("ADVISOR_") || e.getName().equals("PROMETHEUS_URL"))
        .extracting(EnvVar::getName, EnvVar::getValue).containsExactly(
            org.assertj.core.groups.Tuple.tuple("PROMETHEUS_URL", "http://prometheus-operated.monitoring.svc:9090"),
            org.assertj.core.groups.Tuple.tuple("ADVISOR_ENABLED", "true"),
            org.assertj.core.groups.Tuple.tuple("ADVISOR_INTERVAL", "30s"),
            org.assertj.core.groups.Tuple.tuple("ADVISOR_WINDOW", "5m"),
            org.assertj.core.groups.Tuple.tuple("ADVISOR_MIN_REQUESTS", "1000"));
    // What the chart sets, the operator accepts.
    var config = OperatorConfig.parse(new String[0], on.stream().filter(e -> e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue)));
    assertThat(config.prometheusUrl()).isPresent();
    assertThat(config.advisor().interval()).isEqualTo(java.time.Duration.ofSeconds(30));
    var off = deployment(Helm.template("op", NS, "prometheus.url=http://p:9090", "advisor.enabled=false"))
        .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(off).filteredOn(e -> e.getName().equals("ADVISOR_ENABLED")).extracting(EnvVar::getValue).containsExactly("false");
  }

  @Test
  void valuesWithADigestPinTheImage() {
    var m = Helm.template("op", NS, "image.repository=registry.example/ops/appserver-operator", "image.tag=1.2.3");
    assertThat(deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/ops/appserver-operator:1.2.3");
    String digest = "sha256:" + "0123456789abcdef".repeat(4);
    var pinned = Helm.template("op", NS, "image.digest=" + digest);
    assertThat(deployment(pinned).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("appserver-operator@" + digest);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      replicaCount=-1                                  | at '/replicaCount': minimum: got -1, want 0
      replicaCount=two                                 | at '/replicaCount': got string, want integer
      watchNamespaces=team-a                           | at '/watchNamespaces': got string, want array
      watchNamespaces={team-a,team-a}                  | at '/watchNamespaces': items at 0 and 1 are equal
      watchNamespaces={Team_A}                         | at '/watchNamespaces/0': 'Team_A' does not match pattern
      watchNamespace={team-a}                          | additional properties 'watchNamespace' not allowed
      logFormat=xml                                    | at '/logFormat': value must be one of 'text', 'json'
      logLevel=verbose                                 | at '/logLevel': value must be one of
      metrics.port=70000                               | at '/metrics/port': maximum: got 70,000, want 65,535
      metrics.service.type=ExternalName                | at '/metrics/service/type': value must be one of
      leaderElection.enabled=yes                       | at '/leaderElection/enabled': got string, want boolean
      leaderElection.leaseName=My_Lock                 | at '/leaderElection/leaseName': 'My_Lock' does not match pattern
      leaderElection.leaseDuration=1500ms              | at '/leaderElection/leaseDuration': '1500ms' does not match pattern
      serviceMonitor.enabled=yes                       | at '/serviceMonitor/enabled': got string, want boolean
      serviceMonitor.interval=often                    | at '/serviceMonitor/interval': 'often' does not match pattern
      image.pullPolicy=Sometimes                       | at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'
      image.digest=latest                              | at '/image/digest': 'latest' does not match pattern
      image.repository=                                | at '/image/repository': minLength: got 0, want 1
      terminationGracePeriodSeconds=5                  | at '/terminationGracePeriodSeconds': minimum: got 5, want 15
      advisor.interval=500ms                           | at '/advisor/interval': '500ms' does not match pattern
      advisor.minRequests=0                            | at '/advisor/minRequests': minimum: got 0, want 1
      envSources.watch={Pod}                           | at '/envSources/watch/0': value must be one of 'ConfigMap', 'Secret'
      advisor.prometheusUrl=http://p:9090              | additional properties 'prometheusUrl' not allowed
      """)
  void schemaViolationsAreRejectedByLintAndTemplate(String sets, String message) {
    var template = Helm.run(Helm.templateArgs("op", NS, sets));
    assertThat(template.exitCode()).as(sets).isNotZero();
    assertThat(template.err()).as(sets).contains("values don't meet the specifications of the schema", message);
    var lint = Helm.run("lint", Helm.chart().toString(), "--set", sets);
    assertThat(lint.exitCode()).as(sets).isNotZero();
    assertThat(lint.out() + lint.err()).as(sets).contains(message);
  }

  /**
   * Combinations the schema cannot express fail in the templates: helm template and helm install
   * refuse them; helm lint only reports them ("[INFO] Fail: ..."), as it does any template fail.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      replicaCount=2,leaderElection.enabled=false      | replicaCount > 1 needs leaderElection.enabled=true: without a Lease every replica would reconcile the same AppServers
      leaderElection.renewDeadline=15s                 | leaderElection.renewDeadline (15s) must be shorter than leaderElection.leaseDuration (15s)
      leaderElection.retryPeriod=10s                   | leaderElection.retryPeriod (10s) must be shorter than leaderElection.renewDeadline (10s)
      serviceMonitor.enabled=true,metrics.service.enabled=false | serviceMonitor.enabled needs metrics.service.enabled=true
      metrics.service.enabled=false                    | tests.enabled needs metrics.service.enabled=true
      serviceAccount.create=false                      | serviceAccount.name is required when serviceAccount.create is false
      """)
  void inconsistentValuesAreRefusedByTemplate(String sets, String message) {
    var template = Helm.run(Helm.templateArgs("op", NS, sets));
    assertThat(template.exitCode()).as(sets).isNotZero();
    assertThat(template.err()).as(sets).contains(message);
    var lint = Helm.run("lint", Helm.chart().toString(), "--set", sets);
    assertThat(lint.out() + lint.err()).as(sets).contains(message);
  }

  @Test
  void chartCrdIsTheGeneratedOne() throws IOException {
    var root = Kubectl.repoRoot();
    assertThat(Files.readString(Helm.chart().resolve("crds/appservers.appserver.dev-v1.yml")))
        .isEqualTo(Files.readString(root.resolve("crds/appservers.appserver.dev-v1.yml")));
    var withCrds = Manifests.parse(Helm.run(
        "template", "op", Helm.chart().toString(), "--include-crds").ok().out());
    assertThat(withCrds.ofKind("CustomResourceDefinition")).singleElement()
        .satisfies(crd -> assertThat(crd.path("metadata").path("name").asText()).isEqualTo("appservers.appserver.dev"));
  }

  /** docs/chart-values.md names every value the schema knows. */
  @Test
  void everyValueIsDocumented() throws IOException {
    var root = Kubectl.repoRoot();
    String doc = Files.readString(root.resolve("docs/chart-values.md"));
    JsonNode schema = new ObjectMapper().readTree(Helm.chart().resolve("values.schema.json").toFile());
    List<String> keys = new ArrayList<>();
    leafKeys("", schema, keys);
    assertThat(keys).hasSizeGreaterThan(30);
    assertThat(keys.stream().filter(k -> !k.equals("global") && !doc.contains("`" + k + "`")).toList())
        .as("values missing from docs/chart-values.md").isEmpty();
  }

  private static void leafKeys(String prefix, JsonNode schema, List<String> out) {
    schema.path("properties").fields().forEachRemaining(e -> {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().has("properties")) leafKeys(key, e.getValue(), out);
      else out.add(key);
    });
  }
}
