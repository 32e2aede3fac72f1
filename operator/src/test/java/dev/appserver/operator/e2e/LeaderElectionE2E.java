package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two (then three) operator processes, the shaded jar each, share one Lease with the default
 * timings (15 s lease, 10 s renew deadline, 2 s retry). Only the holder reconciles; when it is
 * killed outright the standby takes over once the Lease expires, and when it is stopped with
 * SIGTERM it hands the Lease over at once.
 */
class LeaderElectionE2E extends ProcessE2ESupport {
  static final Duration LEASE = Duration.ofSeconds(15);
  static final Duration RETRY = Duration.ofSeconds(2);

  @Override
  String namespacePrefix() {
    return "le-";
  }

  OperatorProcess start(String name) {
    return start(name, Map.of(
        "WATCH_NAMESPACES", ns,
        "LEADER_ELECTION_ENABLED", "true",
        "LEADER_ELECTION_NAMESPACE", ns,
        "POD_NAME", name));
  }

  void createAppServer(String name) {
    Kubectl.runWithInput("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: %s}
        spec: {image: example/app:1, app: "app:app"}
        """.formatted(name), "-n", ns, "apply", "-f", "-").ok();
  }

  void awaitReady(String name) {
    Kubectl.run("-n", ns, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/" + name).ok();
  }

  String holder() {
    return Kubectl.run("-n", ns, "get", "lease", "appserver-operator", "-o", "jsonpath={.spec.holderIdentity}").out();
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  @Test
  void onlyTheLeaderReconcilesAndTheStandbyTakesOver() {
    var a = start("op-a").awaitReady();
    var b = start("op-b").awaitReady();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.isLeader() ^ b.isLeader());
    var leader = a.isLeader() ? a : b;
    var standby = leader == a ? b : a;
    assertThat(holder()).startsWith(leader == a ? "op-a_" : "op-b_");
    assertThat(standby.get("/readyz").status()).as("a standby with synced informers is ready").isEqualTo(200);

    createAppServer("first");
    awaitReady("first");
    assertThat(leader.metrics()).contains("operator_sdk_reconciliations_started_total{");
    assertThat(standby.metrics()).as("the standby reconciles nothing").doesNotContain("operator_sdk_reconciliations_started_total{");
    assertThat(standby.metric("appserver_operator_leader")).hasValue(0.0);

    // Crash: no shutdown, the Lease stays held until it expires.
    long killed = System.nanoTime();
    leader.kill();
    createAppServer("second");
    await().atMost(LEASE.plus(RETRY).plusSeconds(10)).pollInterval(Duration.ofMillis(100)).until(standby::isLeader);
    long tookOver = System.nanoTime();
    awaitReady("second");
    long reconciled = System.nanoTime();
    System.out.printf("[leader-election] SIGKILL of the leader: standby leads after %.1f s, new AppServer Ready after %.1f s%n",
        seconds(tookOver - killed), seconds(reconciled - killed));
    assertThat(holder()).startsWith(standby == a ? "op-a_" : "op-b_");
    assertThat(seconds(tookOver - killed)).isLessThan(seconds(LEASE.plus(RETRY).plusSeconds(5).toNanos()));

    // Graceful: SIGTERM hands the Lease over; a third process takes it within a retry period or so.
    var c = start("op-c").awaitReady();
    assertThat(c.isLeader()).isFalse();
    long terminated = System.nanoTime();
    assertThat(standby.terminate(Duration.ofSeconds(25))).as("exit code after SIGTERM").isZero();
    long exited = System.nanoTime();
    await().atMost(RETRY.plusSeconds(8)).pollInterval(Duration.ofMillis(100)).until(c::isLeader);
    long handedOver = System.nanoTime();
    createAppServer("third");
    awaitReady("third");
    System.out.printf("[leader-election] SIGTERM of the leader: exited after %.1f s, next leads after %.1f s%n",
        seconds(exited - terminated), seconds(handedOver - terminated));
    assertThat(standby.logs()).contains("Released Lease " + ns + "/appserver-operator", "AppServer operator stopped");
    assertThat(c.logs()).contains("Acquired Lease " + ns + "/appserver-operator");
  }
}
