package dev.appserver.operator.ops;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through a coordination.k8s.io Lease, run by JOSDK: every replica starts its
 * informers, only the Lease holder processes events. A replica that loses the Lease while running
 * calls {@code onLost} (the process exits, so it can never reconcile beside the new leader); one
 * that stops on purpose hands the Lease over at once instead of letting it expire.
 */
public final class Leadership {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);
  public static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final OperatorConfig config;
  private final String namespace;
  private final String identity;
  private final Runnable onLost;
  private volatile boolean leading;
  private volatile boolean stopping;

  public Leadership(OperatorConfig config, String namespace, String identity, Runnable onLost) {
    this.config = config;
    this.namespace = Objects.requireNonNull(namespace);
    this.identity = identity;
    this.onLost = onLost;
  }

  /**
   * The Lease's namespace: the configured one, else POD_NAMESPACE, else the namespace of the
   * mounted service account, else the kubeconfig's current namespace.
   */
  public static String namespace(OperatorConfig config, Map<String, String> env, Path serviceAccountNamespace,
      KubernetesClient client) {
    return config.leaseNamespace()
        .or(() -> Optional.ofNullable(env.get("POD_NAMESPACE")).filter(s -> !s.isBlank()))
        .or(() -> read(serviceAccountNamespace))
        .or(() -> Optional.ofNullable(client.getConfiguration().getNamespace()).filter(s -> !s.isBlank()))
        .orElseThrow(() -> new IllegalArgumentException("leader election is on but the Lease namespace is unknown: set "
            + OperatorConfig.Option.LEASE_NAMESPACE.env + " or POD_NAMESPACE"));
  }

  /** Unique per process: the pod (or host) name and a random suffix, so a restarted process is a new candidate. */
  public static String identity(Map<String, String> env) {
    String base = HostName.of(env);
    return base + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  public LeaderElectionConfiguration configuration() {
    return new LeaderElectionConfiguration(config.leaseName(), namespace, config.leaseDuration(),
        config.renewDeadline(), config.retryPeriod(), identity,
        new LeaderCallbacks(this::startedLeading, this::stoppedLeading, this::newLeader),
        // JOSDK would System.exit(1) on any stop, also on a SIGTERM, from inside the shutdown: onLost decides instead.
        false);
  }

  public String identity() {
    return identity;
  }

  public String namespace() {
    return namespace;
  }

  public boolean isLeader() {
    return leading;
  }

  /** From now on a lost Lease is expected, not a failure. */
  public void stopping() {
    stopping = true;
  }

  private void startedLeading() {
    leading = true;
    log.info("Acquired Lease {}/{} as {}: reconciling", namespace, config.leaseName(), identity);
  }

  private void stoppedLeading() {
    boolean was = leading;
    leading = false;
    if (stopping) return;
    log.error("Lost Lease {}/{} (was leader: {}): stopping so that only the new leader reconciles", namespace,
        config.leaseName(), was);
    onLost.run();
  }

  private void newLeader(String leader) {
    if (!identity.equals(leader)) log.info("Lease {}/{} is held by {}: standing by", namespace, config.leaseName(), leader);
  }

  /**
   * Hands the Lease over when this process holds it: clears the holder and shortens the duration to
   * one second, as client-go does on release, so a standby takes over within its retry period.
   * Call after the operator has stopped processing.
   */
  public void release(KubernetesClient client) {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(config.leaseName()).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) return;
      // A merge patch, as the holder must be sent as an explicit null; the resourceVersion makes it
      // fail rather than clear a Lease another replica has taken meanwhile.
      String now = MICRO_TIME.format(Instant.now());
      String patch = """
          {"metadata":{"resourceVersion":"%s"},"spec":{"holderIdentity":null,"leaseDurationSeconds":1,"renewTime":"%s"}}"""
          .formatted(lease.getMetadata().getResourceVersion(), now);
      client.leases().inNamespace(namespace).withName(config.leaseName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      log.info("Released Lease {}/{}", namespace, config.leaseName());
    } catch (KubernetesClientException e) {
      log.warn("Could not release Lease {}/{}; it expires in {}s: {}", namespace, config.leaseName(),
          config.leaseDuration().toSeconds(), e.getMessage());
    }
  }

  private static Optional<String> read(Path file) {
    try {
      return Files.isReadable(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
