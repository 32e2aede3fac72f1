package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
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

  /** The Lease as stored: holder, duration, and the holder's acquire and renew times. */
  record LeaseState(String holder, int durationSeconds, Instant acquired, Instant renewed) {}

  LeaseState lease() {
    var spec = Kubectl.run("-n", ns, "get", "lease", "appserver-operator", "-o",
        "jsonpath={.spec.holderIdentity}|{.spec.leaseDurationSeconds}|{.spec.acquireTime}|{.spec.renewTime}").ok().out();
    String[] f = spec.split("\\|", -1);
    return new LeaseState(f[0], Integer.parseInt(f[1]), f[2].isEmpty() ? null : Instant.parse(f[2]),
        f[3].isEmpty() ? null : Instant.parse(f[3]));
  }

  /**
   * A candidate retries every retry period, stretched by the client's jitter (up to 1.2 times more),
   * and then needs a request or two: how long after the Lease may be taken it is at the latest.
   */
  static final Duration TAKE_OVER_SLACK = Duration.ofMillis((long) (RETRY.toMillis() * 2.2)).plusSeconds(2);

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
    assertThat(leader.kill()).as("exit status of a SIGKILL").isEqualTo(137);
    LeaseState held = lease();
    assertThat(held.holder()).as("a killed leader releases nothing").startsWith(leader == a ? "op-a_" : "op-b_");
    createAppServer("second");
    await().atMost(LEASE.plus(RETRY).plusSeconds(10)).pollInterval(Duration.ofMillis(100)).until(standby::isLeader);
    long tookOver = System.nanoTime();
    LeaseState taken = lease();
    assertThat(taken.holder()).startsWith(standby == a ? "op-a_" : "op-b_");
    // Both bounds, from the Lease's own times: not before it expired (the last renewal plus its
    // duration), and within a retry period or so after.
    Instant expired = held.renewed().plus(LEASE);
    System.out.printf("[leader-election] SIGKILL: Lease last renewed %s, expired %s, taken %s (%+.2f s after expiry)%n",
        held.renewed(), expired, taken.acquired(), Duration.between(expired, taken.acquired()).toMillis() / 1e3);
    assertThat(taken.acquired()).as("taken over before the Lease expired").isAfterOrEqualTo(expired);
    assertThat(taken.acquired()).as("taken over long after the Lease expired").isBefore(expired.plus(TAKE_OVER_SLACK));
    assertThat(held.durationSeconds()).as("the duration the holder wrote").isEqualTo((int) LEASE.toSeconds());
    awaitReady("second");
    long reconciled = System.nanoTime();
    System.out.printf("[leader-election] SIGKILL of the leader: standby leads after %.1f s, new AppServer Ready after %.1f s%n",
        seconds(tookOver - killed), seconds(reconciled - killed));
    assertThat(holder()).startsWith(standby == a ? "op-a_" : "op-b_");
    assertThat(seconds(tookOver - killed)).isLessThan(seconds(LEASE.plus(RETRY).plusSeconds(5).toNanos()));
    assertThat(seconds(tookOver - killed)).as("a standby that does not wait for the Lease to expire")
        .isGreaterThan(seconds(LEASE.minus(RETRY.multipliedBy(2)).toNanos()));

    // Graceful: SIGTERM hands the Lease over; a third process takes it within a retry period or so.
    var c = start("op-c").awaitReady();
    assertThat(c.isLeader()).isFalse();
    long terminated = System.nanoTime();
    assertThat(standby.terminate(Duration.ofSeconds(25))).as("exit code after SIGTERM").isZero();
    long exited = System.nanoTime();
    LeaseState released = lease();
    await().atMost(RETRY.plusSeconds(8)).pollInterval(Duration.ofMillis(100)).until(c::isLeader);
    long handedOver = System.nanoTime();
    LeaseState next = lease();
    if (released.holder().isEmpty()) {
      // Released: no holder, and a one-second duration from the moment of release.
      assertThat(released.durationSeconds()).isEqualTo(1);
      System.out.printf("[leader-election] SIGTERM: Lease released %s, taken %s (%+.2f s)%n", released.renewed(),
          next.acquired(), Duration.between(released.renewed(), next.acquired()).toMillis() / 1e3);
      assertThat(next.acquired()).as("taken before it was released").isAfterOrEqualTo(released.renewed());
      assertThat(next.acquired()).as("taken long after it was released").isBefore(released.renewed().plus(TAKE_OVER_SLACK));
    } else {
      assertThat(released.holder()).as("the next leader took the released Lease already").startsWith("op-c_");
    }
    assertThat(next.acquired()).as("not before the old leader stopped").isAfterOrEqualTo(held.renewed());
    createAppServer("third");
    awaitReady("third");
    System.out.printf("[leader-election] SIGTERM of the leader: exited after %.1f s, next leads after %.1f s%n",
        seconds(exited - terminated), seconds(handedOver - terminated));
    assertThat(standby.logs()).contains("Released Lease " + ns + "/appserver-operator", "AppServer operator stopped");
    assertThat(c.logs()).contains("Acquired Lease " + ns + "/appserver-operator");
  }
}
