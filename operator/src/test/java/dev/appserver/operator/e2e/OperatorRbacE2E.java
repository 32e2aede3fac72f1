package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.OperatorMain;
import dev.appserver.operator.chart.Manifests;
import dev.appserver.operator.e2e.RequestLog.Use;
import dev.appserver.operator.ops.OperatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Least privilege, proven: the operator, acting as the ServiceAccount the chart creates (a token
 * from kubectl create token), takes an AppServer through its whole life with every request
 * recorded. None is refused, every verb the chart grants is one it used, and requests it has no
 * business making are refused.
 */
class OperatorRbacE2E {
  static KubernetesClient admin;

  @BeforeAll
  static void crd() {
    Kubectl.installCrd();
    // With KEDA's and Prometheus Operator's kinds served, the operator uses its grants on them too.
    Kubectl.installThirdPartyCrds("keda");
    Kubectl.installThirdPartyCrds("prometheus-operator");
    admin = new KubernetesClientBuilder().build();
  }

  @AfterAll
  static void close() {
    if (admin != null) admin.close();
  }

  /** A rule of the chart with where it applies: a Role's namespace, or null for the ClusterRole (everywhere). */
  record Scoped(String namespace, PolicyRule rule) {
    boolean covers(Use use) {
      return (namespace == null || namespace.equals(use.namespace()))
          && rule.getApiGroups().contains(use.group())
          && rule.getResources().contains(use.resource())
          && rule.getVerbs().contains(use.verb())
          && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty() || rule.getResourceNames().contains(use.name()));
    }
  }

  static boolean grants(List<Scoped> rules, Use use) {
    return rules.stream().anyMatch(r -> r.covers(use));
  }

  /**
   * The one grant the operator holds without using it: update of its Lease. JOSDK checks, before it
   * starts leader election, that it may get, create and update Leases (a SelfSubjectRulesReview,
   * asserted below) and refuses to start otherwise; renewals are patches.
   */
  static boolean allowedUnused(String group, String resource, String verb) {
    return group.equals("coordination.k8s.io") && resource.equals("leases") && verb.equals("update");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"all namespaces", "watchNamespaces"})
  void chartServiceAccountIsEnoughForTheWholeLifecycleAndNoMore(String mode) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    String appNs = "rbac-app-" + id;
    String otherNs = "rbac-other-" + id;
    Kubectl.run("create", "namespace", appNs).ok();
    Kubectl.run("create", "namespace", otherNs).ok();
    boolean namespaced = mode.equals("watchNamespaces");
    String[] sets = namespaced ? new String[] {"watchNamespaces={" + appNs + "}"} : new String[0];
    if (!namespaced) {
      // Watching every namespace, the operator would also meet those that earlier tests left being
      // deleted, where the API server refuses writes with 403 too: wait until they are gone.
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
          admin.namespaces().list().getItems().stream().noneMatch(n -> "Terminating".equals(n.getStatus().getPhase())));
    }
    var log = new RequestLog();
    AtomicBoolean leaseLost = new AtomicBoolean();
    try (var release = ChartRelease.install("rbac-" + id, "rbac-op-" + id, sets);
         KubernetesClient sa = release.serviceAccountClient(log)) {
      Manifests manifests = release.manifests();
      List<Scoped> rules = new ArrayList<>();
      manifests.ofKind("ClusterRole").forEach(r -> Manifests.rules(r).forEach(rule -> rules.add(new Scoped(null, rule))));
      manifests.ofKind("Role").forEach(r -> Manifests.rules(r)
          .forEach(rule -> rules.add(new Scoped(r.path("metadata").path("namespace").asText(), rule))));
      assertThat(manifests.ofKind("ClusterRole")).hasSize(namespaced ? 0 : 1);

      // The operator configured as the chart's Deployment configures it (WATCH_NAMESPACES empty: all namespaces).
      Map<String, String> chartEnv = new java.util.HashMap<>();
      Manifests.as(manifests.ofKind("Deployment").get(0), io.fabric8.kubernetes.api.model.apps.Deployment.class)
          .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
          .filter(e -> e.getName().equals("WATCH_NAMESPACES") || e.getName().startsWith("LEADER_ELECTION_"))
          .filter(e -> e.getValue() != null)
          .forEach(e -> chartEnv.put(e.getName(), e.getValue()));
      assertThat(chartEnv).containsEntry("WATCH_NAMESPACES", namespaced ? appNs : "")
          .containsEntry("LEADER_ELECTION_ENABLED", "true");
      chartEnv.put("METRICS_PORT", "0");
      var config = OperatorConfig.parse(new String[0], chartEnv);
      assertThat(config.watchesAllNamespaces()).isEqualTo(!namespaced);
      assertThat(config.leaseName()).isEqualTo(release.fullname());
      var operator = OperatorMain.start(config, sa, Map.of("POD_NAMESPACE", release.namespace, "POD_NAME", "rbac-" + id),
          List.of(), () -> leaseLost.set(true));
      try {
        await().atMost(Duration.ofSeconds(30)).until(operator::isLeader);
        lifecycle(appNs);
        promotionCheck(sa, appNs);
      } finally {
        operator.close();
      }
      assertThat(leaseLost).isFalse();
      Lease lease = admin.leases().inNamespace(release.namespace).withName(release.fullname()).get();
      assertThat(lease.getSpec().getHolderIdentity()).as("the Lease is handed over on stop").isNull();

      assertThat(log.forbidden()).as("requests the API server refused").isEmpty();

      Set<Use> used = log.uses();
      // Every request made is granted by the chart, except the self-review everyone may make.
      assertThat(used.stream()
          .filter(u -> !u.resource().equals("selfsubjectrulesreviews"))
          .filter(u -> !grants(rules, u)).toList())
          .as("requests the chart does not grant").isEmpty();
      if (!namespaced) {
        assertThat(used).as("watched across all namespaces").contains(
            new Use("list", "appserver.dev", "appservers", "", ""), new Use("watch", "appserver.dev", "appservers", "", ""),
            new Use("watch", "apps", "deployments", "", ""));
      }
      assertThat(used).as("JOSDK's check of its Lease permissions")
          .contains(new Use("create", "authorization.k8s.io", "selfsubjectrulesreviews", "", ""));
      // Every verb the chart grants was used where the grant applies (its Role's namespace; the Lease by name).
      List<String> unused = new ArrayList<>();
      for (Scoped scoped : rules) {
        PolicyRule r = scoped.rule();
        for (String group : r.getApiGroups()) {
          for (String resource : r.getResources()) {
            for (String verb : r.getVerbs()) {
              boolean exercised = used.stream().anyMatch(u -> u.group().equals(group) && u.resource().equals(resource)
                  && u.verb().equals(verb) && scoped.covers(u));
              if (!exercised && !allowedUnused(group, resource, verb)) {
                unused.add(verb + " " + group + "/" + resource + (scoped.namespace() == null ? "" : " in " + scoped.namespace()));
              }
            }
          }
        }
      }
      assertThat(unused).as("granted but never used; used: " + used).isEmpty();

      // The operator closed its client when it stopped; the same identity, anew.
      try (KubernetesClient again = release.serviceAccountClient()) {
        refusals(again, release, appNs, otherNs, namespaced);
      }
      canIList(release, appNs, namespaced ? otherNs : null);
    } finally {
      Kubectl.run("delete", "namespace", appNs, otherNs, "--wait=false");
    }
  }

  /**
   * Create, change the image and the Gunicorn config, turn off the optional children, delete:
   * every write the operator makes (ConfigMaps are created and updated without server-side apply,
   * JOSDK's default for them; every other child with it).
   */
  private static void lifecycle(String ns) {
    Kubectl.runWithInput("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: web}
        spec:
          image: example/app:1
          app: app:app
          resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
          autoscaling: {enabled: true, maxReplicas: 4}
          disruptionBudget: {enabled: true}
        """, "-n", ns, "apply", "-f", "-").ok();
    Kubectl.run("-n", ns, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/web").ok();
    assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName("web").get()).isNotNull();
    assertThat(admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("web").get()).isNotNull();
    await().atMost(Duration.ofSeconds(60)).until(() -> Kubectl.run("-n", ns, "get", "podmonitor", "web").exitCode() == 0);
    // KEDA instead of the operator's HPA, and no PodMonitor; then no autoscaling at all (below).
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"image\":\"example/app:2\",\"gunicorn\":{\"timeoutSeconds\":60},\"metrics\":{\"podMonitor\":false},"
            + "\"autoscaling\":{\"engine\":\"keda\"},\"disruptionBudget\":{\"enabled\":false}}}").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(Kubectl.run("-n", ns, "get", "scaledobject", "web").exitCode()).isZero();
      assertThat(Kubectl.run("-n", ns, "get", "podmonitor", "web").exitCode()).isNotZero();
    });
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"autoscaling\":{\"enabled\":false}}}").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName("web").get()).isNull();
      assertThat(admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("web").get()).isNull();
      assertThat(Kubectl.run("-n", ns, "get", "scaledobject", "web").exitCode()).isNotZero();
      assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getImage()).isEqualTo("example/app:2");
      assertThat(admin.configMaps().inNamespace(ns).withName("web-gunicorn").get().getData().get("gunicorn.conf.py"))
          .contains("timeout = 60");
    });
    Kubectl.run("-n", ns, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/web").ok();
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Sized"));
    blueGreenAndBack(ns);
    Kubectl.run("-n", ns, "delete", "appserver", "web", "--wait=true").ok();
  }

  private static io.fabric8.kubernetes.api.model.Service service(String ns, String name) {
    return admin.services().inNamespace(ns).withName(name).get();
  }

  private static dev.appserver.operator.api.v1alpha1.BlueGreenStatus blueGreen(String ns) {
    var st = admin.resources(dev.appserver.operator.api.v1alpha1.AppServer.class).inNamespace(ns).withName("web").get().getStatus();
    return st == null ? null : st.getBlueGreen();
  }

  /**
   * To BlueGreen (the plain Deployment and its ConfigMap are deleted, a preview Service made), a
   * rollout waiting for manual promotion, aborted with the annotation (removed afterwards: a patch
   * of the AppServer), then back to RollingUpdate (the colours and the preview Service are deleted).
   * No pre-promotion check here: through the service proxy the API server would dial the simulated
   * pods' addresses, which lead nowhere on this control plane.
   */
  private static void blueGreenAndBack(String ns) {
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"strategy\":{\"type\":\"BlueGreen\"}}}").ok();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get()).isNull();
      assertThat(admin.configMaps().inNamespace(ns).withName("web-gunicorn").get()).isNull();
      assertThat(service(ns, "web").getSpec().getSelector()).containsEntry("appserver.dev/color", "blue");
      assertThat(service(ns, "web-preview")).isNotNull();
    });
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"image\":\"example/app:3\",\"strategy\":{\"blueGreen\":{\"autoPromote\":false}}}}").ok();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(blueGreen(ns).getPhase()).isEqualTo("AwaitingPromotion"));
    assertThat(service(ns, "web").getSpec().getSelector()).containsEntry("appserver.dev/color", "blue");
    Kubectl.run("-n", ns, "annotate", "appserver", "web", "appserver.dev/abort=true").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(blueGreen(ns).getPhase()).isEqualTo("Aborted");
      assertThat(admin.resources(dev.appserver.operator.api.v1alpha1.AppServer.class).inNamespace(ns).withName("web").get()
          .getMetadata().getAnnotations()).doesNotContainKey("appserver.dev/abort");
    });
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p",
        "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"blueGreen\":null}}}").ok();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get()).isNotNull();
      assertThat(admin.apps().deployments().inNamespace(ns).withName("web-blue").get()).isNull();
      assertThat(admin.apps().deployments().inNamespace(ns).withName("web-green").get()).isNull();
      assertThat(admin.configMaps().inNamespace(ns).withName("web-blue-gunicorn").get()).isNull();
      assertThat(service(ns, "web-preview")).isNull();
      assertThat(service(ns, "web").getSpec().getSelector()).doesNotContainKey("appserver.dev/color");
    });
  }

  /**
   * The pre-promotion check, as the operator makes it, with the operator's identity, through the
   * service proxy of a Service with no endpoints: the API server authorizes the request (get on
   * services/proxy), finds no pod to send it to and answers 503 without dialling anything (the
   * simulated pods' addresses lead nowhere here). Refused, it would be a 403.
   */
  private static void promotionCheck(KubernetesClient sa, String ns) {
    admin.services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withNewMetadata().withName("nothing-preview").endMetadata()
        .withNewSpec().addToSelector("e2e.appserver.dev/selects", "nothing")
        .addNewPort().withName("http").withPort(80).withNewTargetPort("http").endPort().endSpec().build()).create();
    var model = dev.appserver.operator.TestAppServers.model("""
        image: example/app:1
        app: app:app
        """);
    var inNs = dev.appserver.operator.model.AppServerModel.of(model.name(), ns, model.spec());
    assertThat(new dev.appserver.operator.reconciler.ServiceProxyPromotionCheck(sa).start(inNs, "nothing-preview", "/health", 5)
        .toCompletableFuture().join().passed())
        .as("no endpoint: the check fails").isFalse();
    // The same request, to see the answer: authorized (not 403), and nothing to proxy to. Until the
    // endpoints controller has written the Service's (empty) Endpoints, the proxy answers 404; on a
    // busy machine that takes a moment, so the answer is awaited.
    var request = sa.getHttpClient().newHttpRequestBuilder().uri(java.net.URI.create(sa.getMasterUrl().toString()
        .replaceAll("/$", "") + "/api/v1/namespaces/" + ns + "/services/nothing-preview:http/proxy/health")).build();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      var response = sa.getHttpClient().sendAsync(request, String.class).get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(response.code()).as(response.body()).isNotEqualTo(403).isEqualTo(503);
      assertThat(response.body()).contains("no endpoints available for service");
    });
  }

  /** What the operator has no business doing is refused. */
  private static void refusals(KubernetesClient sa, ChartRelease release, String appNs, String otherNs, boolean namespaced) {
    admin.secrets().inNamespace(appNs).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("db").endMetadata().addToStringData("password", "x").build()).create();
    admin.leases().inNamespace(release.namespace).resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
        .withNewMetadata().withName("someone-else").endMetadata().withNewSpec().withHolderIdentity("x").endSpec().build()).create();
    assertForbidden(() -> sa.secrets().inNamespace(appNs).withName("db").delete());
    assertForbidden(() -> sa.secrets().inNamespace(appNs).withName("db").get());
    // Secrets are listed and watched, to hash the ones pods read env from; never written.
    assertForbidden(() -> sa.secrets().inNamespace(appNs).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("mine").endMetadata().build()).create());
    assertForbidden(() -> sa.secrets().inNamespace(appNs).withName("db").patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}"));
    assertForbidden(() -> sa.pods().inNamespace(appNs).list());
    assertForbidden(() -> sa.nodes().list());
    assertForbidden(() -> sa.namespaces().list());
    assertForbidden(() -> sa.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
        .withName("escalate-" + release.release).endMetadata().build()).create());
    assertForbidden(() -> sa.apiextensions().v1().customResourceDefinitions().list());
    assertForbidden(() -> sa.leases().inNamespace(release.namespace).withName("someone-else").edit(l -> {
      l.getSpec().setHolderIdentity("me");
      return l;
    }));
    assertForbidden(() -> sa.apps().deployments().inNamespace(appNs).delete());
    if (namespaced) {
      assertForbidden(() -> sa.configMaps().inNamespace(otherNs).resource(new ConfigMapBuilder()
          .withNewMetadata().withName("x").endMetadata().build()).create());
      assertForbidden(() -> sa.apps().deployments().inAnyNamespace().list());
      assertForbidden(() -> sa.genericKubernetesResources("appserver.dev/v1alpha1", "AppServer").inNamespace(otherNs).list());
    }
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
  }

  /** kubectl's own view of the account agrees: in the watched namespace exactly the operator's rules. */
  private static void canIList(ChartRelease release, String appNs, String unwatchedNs) {
    String user = "system:serviceaccount:" + release.namespace + ":" + release.serviceAccount();
    Set<String> lines = resourceLines(Kubectl.run("auth", "can-i", "--list", "--as=" + user, "-n", appNs).ok().out());
    assertThat(lines).containsExactlyInAnyOrder(
        "appservers.appserver.dev [get list watch patch]",
        "appservers.appserver.dev/status [patch]",
        "deployments.apps [list watch create patch delete]",
        "configmaps [list watch create update delete]",
        "services [list watch create patch delete]",
        "services/proxy [get]",
        "poddisruptionbudgets.policy [list watch create patch delete]",
        "horizontalpodautoscalers.autoscaling [list watch create patch delete]",
        "scaledobjects.keda.sh [list watch create patch delete]",
        "podmonitors.monitoring.coreos.com [list watch create patch delete]",
        "secrets [list watch]",
        "events [create]");
    if (unwatchedNs != null) {
      assertThat(resourceLines(Kubectl.run("auth", "can-i", "--list", "--as=" + user, "-n", unwatchedNs).ok().out())).isEmpty();
    }
    Set<String> leaseNs = resourceLines(Kubectl.run("auth", "can-i", "--list", "--as=" + user, "-n", release.namespace).ok().out());
    assertThat(leaseNs).contains("leases.coordination.k8s.io [create]",
        "leases.coordination.k8s.io [" + release.fullname() + "] [get update patch]");
    assertThat(Kubectl.run("auth", "can-i", "delete", "secrets", "--as=" + user, "-n", appNs).out().trim()).isEqualTo("no");
    assertThat(Kubectl.run("auth", "can-i", "list", "pods", "--as=" + user, "-n", appNs).out().trim()).isEqualTo("no");
    assertThat(Kubectl.run("auth", "can-i", "create", "clusterroles", "--as=" + user).out().trim()).isEqualTo("no");
  }

  /**
   * "resource [names] [verbs]" of kubectl auth can-i --list, without what every authenticated user
   * may do (self reviews, non-resource URLs).
   */
  private static Set<String> resourceLines(String table) {
    Set<String> lines = new LinkedHashSet<>();
    table.lines().skip(1).forEach(line -> {
      if (line.startsWith(" ") || line.startsWith("self")) return;
      String[] cols = line.trim().split("\\s{2,}");
      String resource = cols[0];
      String names = cols[cols.length - 2];
      String verbs = cols[cols.length - 1];
      lines.add(resource + (names.equals("[]") ? "" : " " + names) + " " + verbs);
    });
    return lines;
  }
}
