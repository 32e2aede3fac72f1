package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why {@link TrimmedStore#usable} allows a store only where one informer uses it. JOSDK gives the
 * item store of an informer configuration to the informer of every watched namespace, as here;
 * each informer, when it lists, removes from its store what its own list did not return, so one
 * namespace's informer empties the cache of the other's.
 */
@EnableKubernetesMockClient(crud = true)
class SharedItemStoreIT {
  KubernetesClient client;

  @Test
  void oneStoreSharedByTheInformersOfTwoNamespacesLosesTheFirstNamespacesObjects() throws Exception {
    for (String ns : List.of("a", "b")) {
      client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + ns)
          .withNamespace(ns).endMetadata().build()).create();
    }
    var shared = TrimmedStore.<ConfigMap>of(TrimmedStore::digestDataInPlace);
    SharedIndexInformer<ConfigMap> a = client.configMaps().inNamespace("a").runnableInformer(0).itemStore(shared);
    SharedIndexInformer<ConfigMap> b = client.configMaps().inNamespace("b").runnableInformer(0).itemStore(shared);
    try {
      a.start().toCompletableFuture().get();
      assertThat(a.getStore().list()).extracting(c -> c.getMetadata().getName()).containsExactly("cm-a");
      b.start().toCompletableFuture().get();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(a.getStore().list()).as("namespace a's cache, after b's informer listed")
              .extracting(c -> c.getMetadata().getName()).doesNotContain("cm-a"));
    } finally {
      a.stop();
      b.stop();
    }
  }
}
