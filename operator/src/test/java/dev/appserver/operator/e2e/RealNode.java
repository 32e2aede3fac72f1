package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The local cluster's real node (hack/node.sh): a kubelet, containerd and kube-proxy whose pods
 * really run. Tests that need live traffic put their pods there through namespace annotations,
 * and send traffic only to addresses that {@link #requireLocalRoute} has checked are routed to a
 * device of this machine.
 *
 * <p>Reads .local-cluster/network.env, written by hack/cluster.sh up.
 */
public final class RealNode {
  /** The taint and label hack/node.sh gives the real node. */
  public static final String TAINT_KEY = "appserver.dev/real-node";
  public static final String LABEL = "appserver.dev/node=real";

  private static Map<String, String> env;

  private RealNode() {}

  static synchronized Map<String, String> env() {
    if (env == null) {
      String dir = System.getenv("LOCAL_CLUSTER_DIR");
      Path file = (dir != null ? Path.of(dir) : Kubectl.repoRoot().resolve(".local-cluster")).resolve("network.env");
      Map<String, String> values = new LinkedHashMap<>();
      try {
        for (String line : Files.readAllLines(file)) {
          int eq = line.indexOf('=');
          if (!line.startsWith("#") && eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no " + file + ": run 'make cluster-up' first", e);
      }
      env = values;
    }
    return env;
  }

  /**
   * Skips the calling test when the local cluster has no real node (hack/cluster.sh said why);
   * fails it when the cluster claims one that is not Ready.
   */
  public static void assumeReady() {
    Map<String, String> e = env();
    Assumptions.assumeTrue("ready".equals(e.get("REAL_NODE")),
        () -> "no real node in the local cluster: " + e.getOrDefault("REAL_NODE_REASON", "unknown"));
    var ready = Kubectl.run("get", "node", nodeName(), "-o",
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
    assertThat(ready.out()).as("real node %s Ready (%s)", nodeName(), ready.err()).isEqualTo("True");
  }

  public static String nodeName() {
    return env().getOrDefault("REAL_NODE_NAME", "appserver-node");
  }

  /**
   * Makes a namespace's pods run on the real node, under Pod Security "restricted": the
   * PodNodeSelector and PodTolerationRestriction admission plugins read these annotations.
   */
  public static void useFor(String namespace) {
    Kubectl.run("label", "namespace", namespace, "--overwrite",
        "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted").ok();
    Kubectl.run("annotate", "namespace", namespace, "--overwrite",
        "scheduler.alpha.kubernetes.io/node-selector=" + LABEL,
        "scheduler.alpha.kubernetes.io/defaultTolerations=[{\"key\":\"" + TAINT_KEY
            + "\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]").ok();
  }

  /**
   * Fails unless a packet to {@code address} would go to the local bridge or stay on this machine:
   * the check every traffic source here makes before sending anything.
   */
  public static void requireLocalRoute(String address) {
    String out = run("ip", "-o", "route", "get", address);
    String bridge = env().getOrDefault("NODE_BRIDGE", "appsrv0");
    boolean local = out.contains(" dev " + bridge + " ") || out.startsWith("local ") || out.contains(" dev lo ");
    if (!local) throw new AssertionError("refusing to send to " + address + ": it is routed elsewhere (" + out.trim() + ")");
  }

  /** kube-proxy has a rule for this ClusterIP and port: traffic to it reaches a pod, not the route. */
  public static boolean serviceProgrammed(String clusterIp, int port) {
    String rules = run("iptables", "-t", "nat", "-S", "KUBE-SERVICES");
    return rules.lines().anyMatch(l -> l.contains("-d " + clusterIp + "/32") && l.contains("--dport " + port + " "));
  }

  /** The pod IPs behind a ClusterIP in kube-proxy's rules right now. */
  public static List<String> programmedEndpoints(String clusterIp, int port) {
    String rules = run("iptables-save", "-t", "nat");
    String svcChain = rules.lines()
        .filter(l -> l.startsWith("-A KUBE-SERVICES ") && l.contains("-d " + clusterIp + "/32") && l.contains("--dport " + port + " "))
        .map(l -> l.substring(l.lastIndexOf("-j ") + 3).trim()).findFirst().orElse(null);
    if (svcChain == null) return List.of();
    return rules.lines().filter(l -> l.startsWith("-A " + svcChain + " ") && l.contains("-j KUBE-SEP-"))
        .map(l -> l.substring(l.lastIndexOf("-j ") + 3).trim())
        .flatMap(sep -> rules.lines().filter(r -> r.startsWith("-A " + sep + " ") && r.contains("--to-destination "))
            .map(r -> r.substring(r.indexOf("--to-destination ") + 17).split(":")[0]))
        .distinct().toList();
  }

  static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
      }
      if (p.exitValue() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
