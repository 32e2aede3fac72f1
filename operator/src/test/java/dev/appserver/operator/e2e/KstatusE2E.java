package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The verdict GitOps tools (Flux, Helm's --wait, kpt) reach on live AppServers, computed by the
 * kstatus library itself (hack/tools/kstatus, built from sigs.k8s.io/cli-utils).
 */
class KstatusE2E extends E2ESupport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** kstatus' verdict and message of AppServer {@code name}, read from the API server. */
  record Verdict(String status, String message) {}

  Verdict verdict(String name) {
    return kstatus(null, "-kubeconfig", kubeconfig(), "-resource", "appserver.dev/v1alpha1/appservers", "-n", ns, name);
  }

  /** The same verdict, of the object as {@code kubectl get -o yaml} prints it, read from stdin. */
  Verdict verdictOfPrintedObject(String name) {
    return kstatus(Kubectl.run("-n", ns, "get", "appserver", name, "-o", "yaml").ok().out());
  }

  private static Verdict kstatus(String stdin, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of(System.getenv().getOrDefault("KSTATUS", "kstatus"), "-o", "json"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = read(p.getInputStream());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kstatus did not finish in 60 s");
      }
      if (p.exitValue() != 0) throw new AssertionError("kstatus failed: " + err.join() + out);
      Map<?, ?> line = JSON.readValue(out, Map.class);
      return new Verdict((String) line.get("status"), (String) line.get("message"));
    } catch (IOException e) {
      throw new AssertionError("cannot run kstatus (make tools builds it): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String kubeconfig() {
    String path = System.getenv("KUBECONFIG");
    if (path == null || path.isBlank()) throw new AssertionError("KUBECONFIG is not set (make test-e2e sets it)");
    return path;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  void awaitVerdict(String name, String status, Duration atMost) {
    await().atMost(atMost).untilAsserted(() -> assertThat(verdict(name).status()).isEqualTo(status));
  }

  void patch(String name, String type, String patch) {
    Kubectl.run("-n", ns, "patch", "appserver", name, "--type=" + type, "-p", patch).ok();
  }

  String condition(String name, String type) {
    return Kubectl.run("-n", ns, "get", "appserver", name, "-o",
        "jsonpath={.status.conditions[?(@.type==\"" + type + "\")].status}").ok().out();
  }

  @Test
  void rollingUpdateIsInProgressUntilTheNewPodsServeFailedPastTheDeadlineAndCurrentOnceFixed() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        strategy: {progressDeadlineSeconds: 15}
        """)).ok();
    waitReady("web");
    awaitVerdict("web", "Current", Duration.ofSeconds(60));

    // New pods that never become ready: the rollout stays under way while the old pods serve.
    patch("web", "merge", "{\"spec\":{\"image\":\"example/app:2\",\"podLabels\":{\"e2e.appserver.dev/never-ready\":\"true\"}}}");
    awaitVerdict("web", "InProgress", Duration.ofSeconds(30));
    assertThat(verdictOfPrintedObject("web").status()).isEqualTo("InProgress");
    assertThat(condition("web", "Ready")).as("the old pods still serve").isEqualTo("True");
    // The Deployment passes its progress deadline: nothing moves until the spec changes.
    awaitVerdict("web", "Failed", Duration.ofSeconds(90));
    assertThat(verdict("web").message()).contains("progress");
    assertThat(condition("web", "Stalled")).isEqualTo("True");
    assertThat(condition("web", "Reconciling")).isEqualTo("False");

    // The fix rolls out; what the docs tell users to wait for returns once it serves, and not before.
    patch("web", "json", "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"example/app:3\"},"
        + "{\"op\":\"remove\",\"path\":\"/spec/podLabels\"}]");
    Kubectl.run("-n", ns, "wait", "--for=condition=Reconciling=False", "--timeout=120s", "appserver/web").ok();
    Kubectl.run("-n", ns, "wait", "--for=condition=Stalled=False", "--timeout=0", "appserver/web").ok();
    var d = deployment("web");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("example/app:3");
    assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(verdict("web").status()).isEqualTo("Current");
    assertThat(verdictOfPrintedObject("web").status()).isEqualTo("Current");
  }

  @Test
  void blueGreenIsInProgressUntilPromotedFailedWhenAbandonedAndCurrentAfterRecovery() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        strategy:
          type: BlueGreen
          progressDeadlineSeconds: 15
          blueGreen: {autoPromote: false, scaleDownDelaySeconds: 0}
        """)).ok();
    waitReady("web");
    awaitVerdict("web", "Current", Duration.ofSeconds(60));

    // Ready and waiting for the promote annotation: the new revision does not serve yet.
    patch("web", "merge", "{\"spec\":{\"image\":\"example/app:2\"}}");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(appServerResource("web").getStatus().getBlueGreen().getPhase()).isEqualTo("AwaitingPromotion"));
    assertThat(verdict("web").status()).isEqualTo("InProgress");
    Kubectl.run("-n", ns, "annotate", "appserver", "web", "appserver.dev/promote=true").ok();
    awaitVerdict("web", "Current", Duration.ofSeconds(60));
    assertThat(appServerResource("web").getStatus().getBlueGreen().getActiveColor()).isEqualTo("green");

    // A revision that never becomes ready: InProgress while it comes up, Failed once abandoned.
    patch("web", "merge", "{\"spec\":{\"image\":\"example/app:broken\",\"podLabels\":{\"e2e.appserver.dev/never-ready\":\"true\"}}}");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(appServerResource("web").getStatus().getBlueGreen().getPhase()).isEqualTo("Progressing"));
    assertThat(verdict("web").status()).isEqualTo("InProgress");
    awaitVerdict("web", "Failed", Duration.ofSeconds(90));
    assertThat(appServerResource("web").getStatus().getBlueGreen().getPhase()).isEqualTo("Aborted");
    assertThat(verdict("web").message()).contains("green keeps serving");
    assertThat(condition("web", "Ready")).as("the old colour still serves").isEqualTo("True");

    // Recovery: a working spec, promoted, is Current again.
    patch("web", "json", "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"example/app:3\"},"
        + "{\"op\":\"remove\",\"path\":\"/spec/podLabels\"}]");
    awaitVerdict("web", "InProgress", Duration.ofSeconds(60));
    Kubectl.run("-n", ns, "annotate", "--overwrite", "appserver", "web", "appserver.dev/promote=true").ok();
    awaitVerdict("web", "Current", Duration.ofSeconds(90));
    assertThat(appServerResource("web").getStatus().getBlueGreen().getActiveColor()).isEqualTo("blue");
  }

  @Test
  void aSpecThatPassesAdmissionButCannotWorkIsFailedUntilCorrected() {
    apply(appServer("web", """
        image: example/app:1
        app: app:app
        podLabels: {"not a label": "x"}
        """)).ok();
    awaitVerdict("web", "Failed", Duration.ofSeconds(60));
    assertThat(verdict("web").message()).contains("spec.podLabels");
    patch("web", "json", "[{\"op\":\"remove\",\"path\":\"/spec/podLabels\"}]");
    awaitVerdict("web", "Current", Duration.ofSeconds(90));
    assertThat(deployment("web").getStatus().getReadyReplicas()).isEqualTo(2);
  }
}
