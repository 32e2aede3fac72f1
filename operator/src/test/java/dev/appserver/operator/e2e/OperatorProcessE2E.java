package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jar as the container runs it: configuration, JSON logs, endpoints, metrics, exit codes. */
class OperatorProcessE2E extends ProcessE2ESupport {
  @Override
  String namespacePrefix() {
    return "proc-";
  }

  @Test
  void jsonLogsEndpointsMetricsAndACleanStopOnSigterm() throws Exception {
    var op = start("json", Map.of("WATCH_NAMESPACES", ns, "LOG_FORMAT", "json")).awaitReady();
    assertThat(op.get("/healthz")).isEqualTo(new OperatorProcess.Response(200, "ok\n"));
    assertThat(op.get("/readyz").body()).isEqualTo("ok\n");
    assertThat(op.get("/nothing").status()).isEqualTo(404);

    Kubectl.runWithInput("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: web}
        spec: {image: example/app:1, app: "app:app", resources: {limits: {cpu: "1"}}}
        """, "-n", ns, "apply", "-f", "-").ok();
    Kubectl.run("-n", ns, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/web").ok();
    String workers = "appserver_workers{name=\"web\",namespace=\"" + ns + "\"}";
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(op.metric(workers)).hasValue(3.0));
    assertThat(op.metrics()).contains(
        "operator_sdk_reconciliations_started_total{",
        "operator_sdk_reconciliations_success_total{",
        "operator_sdk_controllers_execution_reconcile_seconds_count{controller=\"appserver-operator\"",
        "operator_sdk_events_received_total{",
        "appserver_operator_leader 1.0",
        "jvm_memory_used_bytes{",
        "process_uptime_seconds ");

    Kubectl.run("-n", ns, "delete", "appserver", "web").ok();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(op.metrics()).doesNotContain(workers));

    assertThat(op.terminate(Duration.ofSeconds(25))).as("exit code after SIGTERM").isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    for (String line : op.logs().lines().filter(l -> !l.isBlank()).toList()) {
      JsonNode event = json.readTree(line);
      assertThat(event.has("@timestamp") && event.has("log.level") && event.has("message")).as(line).isTrue();
      events.add(event);
    }
    assertThat(events).extracting(e -> e.get("message").asText())
        .contains("AppServer operator started", "Stopping the AppServer operator", "AppServer operator stopped");
    assertThat(events).as("no errors or warnings in a clean run")
        .noneMatch(e -> e.get("log.level").asText().matches("ERROR|WARN"));
  }

  @Test
  void textLogsByFlagAndAStopOnSigtermBeforeAnythingHappened() {
    var op = start("text", Map.of("WATCH_NAMESPACES", ns, "LOG_FORMAT", "json"), "--log-format=text").awaitReady();
    assertThat(op.terminate(Duration.ofSeconds(25))).isZero();
    assertThat(op.logs().lines().filter(l -> !l.isBlank()))
        .allSatisfy(l -> assertThat(l).doesNotStartWith("{"))
        .anySatisfy(l -> assertThat(l).contains("INFO", "OperatorMain - AppServer operator stopped"));
  }

  @Test
  void badConfigurationExitsWith2NamingTheVariable() {
    var op = start("bad", Map.of("METRICS_PORT", "eighty"));
    assertThat(op.awaitExit(Duration.ofSeconds(20))).isEqualTo(2);
    assertThat(op.logs()).contains("run: METRICS_PORT: 'eighty' is not a port number from 0 to 65535");
  }

  /** An account that may not list AppServers: the operator says so and exits 1 rather than run blind. */
  @Test
  void withoutPermissionItExits1() {
    Kubectl.run("-n", ns, "create", "serviceaccount", "nobody").ok();
    String token = Kubectl.run("-n", ns, "create", "token", "nobody", "--duration=10m").ok().out().trim();
    var admin = io.fabric8.kubernetes.client.Config.autoConfigure(null);
    Path kubeconfig = Path.of(System.getProperty("java.io.tmpdir"), ns + "-nobody.kubeconfig");
    try {
      java.nio.file.Files.writeString(kubeconfig, """
          apiVersion: v1
          kind: Config
          clusters: [{name: c, cluster: {server: %s, certificate-authority-data: %s}}]
          users: [{name: u, user: {token: %s}}]
          contexts: [{name: x, context: {cluster: c, user: u}}]
          current-context: x
          """.formatted(admin.getMasterUrl(), admin.getCaCertData(), token));
      var op = start("nobody", Map.of("KUBECONFIG", kubeconfig.toString(), "WATCH_NAMESPACES", ns));
      assertThat(op.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(op.logs()).contains("The operator could not start", "forbidden");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
