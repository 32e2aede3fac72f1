package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.appserver.operator.chart.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator as users run it: the Helm chart installed with the operator image built from the
 * repository's Dockerfile, its pod running on the real node under Pod Security "restricted". It
 * becomes Ready through its own probes, holds the leader Lease, reconciles an AppServer, and
 * carries on when its pod is deleted.
 */
class OperatorInClusterE2E {
  static final String TAG = "dev";

  KubernetesClient admin;
  String operatorNs;
  String appNs;
  String release;

  @BeforeEach
  void install() {
    RealNode.assumeReady();
    admin = new KubernetesClientBuilder().build();
    String id = UUID.randomUUID().toString().substring(0, 6);
    operatorNs = "op-" + id;
    appNs = "op-apps-" + id;
    release = "op" + id;
    Kubectl.run("apply", "--server-side", "--force-conflicts", "-f", Helm.chart().resolve("crds").toString()).ok();
    Kubectl.run("create", "namespace", operatorNs).ok();
    Kubectl.run("create", "namespace", appNs).ok();
    RealNode.useFor(operatorNs);
  }

  @AfterEach
  void uninstall() {
    if (admin == null) return;
    Helm.run("uninstall", release, "-n", operatorNs, "--wait", "--timeout", "2m");
    Kubectl.run("delete", "namespace", operatorNs, appNs, "--wait=false");
    admin.close();
  }

  String fullname() {
    return release + "-appserver-operator";
  }

  List<Pod> operatorPods() {
    return admin.pods().inNamespace(operatorNs).withLabel("app.kubernetes.io/instance", release).list().getItems()
        .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  String leaseHolder() {
    Lease lease = admin.leases().inNamespace(operatorNs).withName(fullname()).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void chartInstalledOperatorRunsReconcilesAndSurvivesItsPodBeingDeleted() {
    long start = System.nanoTime();
    Helm.run("install", release, Helm.chart().toString(), "-n", operatorNs, "--wait", "--timeout", "3m",
        "--set", "image.tag=" + TAG, "--set", "watchNamespaces={" + appNs + "}").ok();
    double installSeconds = (System.nanoTime() - start) / 1e9;

    Pod first = operatorPods().get(0);
    assertThat(first.getSpec().getNodeName()).isEqualTo(RealNode.nodeName());
    assertThat(first.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");
    assertThat(first.getStatus().getContainerStatuses().get(0).getImage()).endsWith("appserver-operator:" + TAG);
    assertThat(RealPodsE2E.ready(first)).isTrue();
    var probes = first.getSpec().getContainers().get(0);
    assertThat(probes.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(probes.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    await().atMost(Duration.ofSeconds(60)).until(() -> leaseHolder() != null
        && leaseHolder().startsWith(first.getMetadata().getName() + "_"));

    // It reconciles: an AppServer in the watched namespace gets its Deployment and becomes Ready (fake nodes).
    Kubectl.runWithInput(E2ESupport.appServer("web", """
        image: example/app:1
        app: app:app
        replicas: 2
        resources: {limits: {cpu: 500m, memory: 256Mi}}
        """), "-n", appNs, "apply", "-f", "-").ok();
    Kubectl.run("-n", appNs, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/web").ok();
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(2);

    // Its pod deleted, a new one takes over the Lease and reconciles a change.
    long deleted = System.nanoTime();
    Kubectl.run("-n", operatorNs, "delete", "pod", first.getMetadata().getName(), "--wait=false").ok();
    await().atMost(Duration.ofSeconds(180)).until(() -> operatorPods().stream()
        .anyMatch(p -> !p.getMetadata().getName().equals(first.getMetadata().getName()) && RealPodsE2E.ready(p)));
    Pod second = operatorPods().stream().filter(p -> !p.getMetadata().getName().equals(first.getMetadata().getName()))
        .findFirst().orElseThrow();
    await().atMost(Duration.ofSeconds(60)).until(() -> leaseHolder() != null
        && leaseHolder().startsWith(second.getMetadata().getName() + "_"));
    double takeover = (System.nanoTime() - deleted) / 1e9;
    Kubectl.run("-n", appNs, "patch", "appserver", "web", "--type=merge", "-p", "{\"spec\":{\"replicas\":3}}").ok();
    await().atMost(Duration.ofSeconds(60)).until(() -> deployment().getSpec().getReplicas() == 3);
    assertThat(RealPodsE2E.restarts(admin.pods().inNamespace(operatorNs).withName(second.getMetadata().getName()).get()))
        .isZero();
    System.out.printf("[operator-in-cluster] helm install --wait: %.1f s; new pod Ready and leader %.1f s after the old one was deleted%n",
        installSeconds, takeover);
  }

  Deployment deployment() {
    return admin.apps().deployments().inNamespace(appNs).withName("web").get();
  }
}
