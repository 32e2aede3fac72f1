package dev.appserver.operator.reconciler;

import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.util.function.Consumer;

/** What the reconciler tests on fabric8's mock server share. */
final class MockServer {
  private MockServer() {}

  /**
   * An operator on the mock server. It speaks no server-side apply: dependents are created and
   * updated, and status is written, with plain requests. The SSA path (and its no-write steady
   * state) is proven on a real apiserver in *E2E.
   */
  static Operator operator(KubernetesClient client, Consumer<ConfigurationServiceOverrider> more) {
    return new Operator(o -> {
      o.withKubernetesClient(client).withCloseClientOnStop(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false).withUseSSAToPatchPrimaryResource(false);
      more.accept(o);
    });
  }

  static Operator operator(KubernetesClient client) {
    return operator(client, o -> { });
  }

  /** What the Deployment controller would write once every replica of the Deployment is rolled out. */
  static void markRolledOut(KubernetesClient client, String namespace, String name) {
    var d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    int n = d.getSpec().getReplicas();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(n).withReadyReplicas(n).withAvailableReplicas(n).withUpdatedReplicas(n).build());
    client.resource(d).updateStatus();
  }
}
