package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KEDA's ScaledObject and Prometheus Operator's PodMonitor, against those projects' own CRDs on the
 * real API server (which validates what the operator writes against their schemas): written when
 * asked for, deleted when not, and left alone when nothing changed.
 */
class ThirdPartyKindsE2E extends E2ESupport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Where the ScaledObject's trigger points. Where KEDA runs on the local cluster it acts on this
   * object, so the address must be one of this machine's with nothing listening (no name to look
   * up, no packet leaving the machine): KEDA's queries are refused and the object stays put.
   */
  private static final String PROMETHEUS = "http://127.0.0.1:9";

  @BeforeAll
  static void crds() {
    Kubectl.installThirdPartyCrds("keda");
    Kubectl.installThirdPartyCrds("prometheus-operator");
  }

  private JsonNode get(String kind, String name) throws Exception {
    var r = Kubectl.run("-n", ns, "get", kind, name, "-o", "json");
    return r.exitCode() == 0 ? JSON.readTree(r.out()) : null;
  }

  private void restartOperatorWith(Map<String, String> env) throws Exception {
    operator.close();
    operator = new OperatorUnderTest(ns, env);
  }

  @Test
  void kedaEngineGetsAScaledObjectThatKedasSchemaAcceptsAndTheHpaGoes() throws Exception {
    // A name only KEDA's trigger needs; the sizing advisor would look it up in DNS, so it stays off.
    restartOperatorWith(Map.of("PROMETHEUS_URL", PROMETHEUS, "ADVISOR_ENABLED", "false"));
    apply(appServer("shop", """
        image: example/app:1
        app: app:app
        resources: {requests: {cpu: 500m}}
        autoscaling: {enabled: true, maxReplicas: 5}
        """)).ok();
    waitReady("shop");
    assertThat(get("horizontalpodautoscaler", "shop")).isNotNull();
    assertThat(get("scaledobject", "shop")).isNull();

    apply(appServer("shop", """
        image: example/app:1
        app: app:app
        resources: {requests: {cpu: 500m}}
        autoscaling: {enabled: true, engine: keda, metric: busyWorkers, minReplicas: 1, maxReplicas: 5,
                      targetBusyPercent: 65, scaleDownStabilizationSeconds: 20}
        """)).ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(get("horizontalpodautoscaler", "shop")).as("the operator's own HPA is gone").isNull();
      JsonNode so = get("scaledobject", "shop");
      assertThat(so).isNotNull();
      assertThat(so.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("AppServer");
      assertThat(so.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("AppServer");
      assertThat(so.at("/spec/scaleTargetRef/apiVersion").asText()).isEqualTo("appserver.dev/v1alpha1");
      assertThat(so.at("/spec/minReplicaCount").asInt()).isEqualTo(1);
      assertThat(so.at("/spec/maxReplicaCount").asInt()).isEqualTo(5);
      assertThat(so.at("/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilizationWindowSeconds").asInt())
          .isEqualTo(20);
      JsonNode trigger = so.at("/spec/triggers/0");
      assertThat(trigger.path("type").asText()).isEqualTo("prometheus");
      assertThat(trigger.path("metricType").asText()).isEqualTo("Value");
      assertThat(trigger.at("/metadata/serverAddress").asText()).isEqualTo(PROMETHEUS);
      assertThat(trigger.at("/metadata/threshold").asText()).isEqualTo("0.65");
      assertThat(trigger.at("/metadata/query").asText())
          .isEqualTo("avg(max_over_time(gunicorn_busy_ratio{namespace=\"" + ns + "\",appserver=\"shop\"}[1m]))");
    });

    // Nothing changed: a reconcile (an annotation wakes it) writes neither kind again.
    int before = operator.writesIn(ns).size();
    int reconciles = operator.reconcilesIn(ns);
    Kubectl.run("-n", ns, "annotate", "appserver", "shop", "e2e.appserver.dev/poke=1").ok();
    await().atMost(Duration.ofSeconds(30)).until(() -> operator.reconcilesIn(ns) > reconciles);
    Thread.sleep(2000);
    assertThat(operator.writesIn(ns).subList(before, operator.writesIn(ns).size()))
        .noneMatch(w -> w.contains("/scaledobjects") || w.contains("/podmonitors"));

    Kubectl.run("-n", ns, "patch", "appserver", "shop", "--type=merge", "-p",
        "{\"spec\":{\"autoscaling\":{\"enabled\":false}}}").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get("scaledobject", "shop")).isNull());
  }

  @Test
  void busyWorkersOnKedaWithoutAPrometheusSaysSoAndWritesNothing() throws Exception {
    apply(appServer("lost", """
        image: example/app:1
        app: app:app
        autoscaling: {enabled: true, engine: keda, metric: busyWorkers, maxReplicas: 3}
        """)).ok();
    waitReady("lost");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(Kubectl.run("-n", ns, "get", "events", "--field-selector", "reason=AutoscalingUnavailable",
            "-o", "jsonpath={.items[*].message}").ok().out())
            .contains("spec.autoscaling").contains("prometheus.url"));
    assertThat(get("scaledobject", "lost")).isNull();
    assertThat(get("horizontalpodautoscaler", "lost")).isNull();
  }

  @Test
  void podMonitorFollowsSpecMetrics() throws Exception {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        """)).ok();
    waitReady("web");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode pm = get("podmonitor", "web");
      assertThat(pm).isNotNull();
      assertThat(pm.at("/spec/selector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("web");
      assertThat(pm.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");
      assertThat(pm.at("/spec/podMetricsEndpoints/0/relabelings/0/targetLabel").asText()).isEqualTo("appserver");
    });
    Kubectl.run("-n", ns, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"metrics\":{\"podMonitor\":false}}}").ok();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get("podmonitor", "web")).isNull());
  }
}
