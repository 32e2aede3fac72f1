package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.api.v1alpha1.AppServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrimmedStoreTest {
  private static ManagedFieldsEntry entry(String manager, String operation, String subresource) {
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withSubresource(subresource)
        .withFieldsType("FieldsV1").withNewFieldsV1().addToAdditionalProperties("f:spec", Map.of("f:replicas", Map.of())).endFieldsV1().build();
  }

  private static Deployment deployment() {
    return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("a").withLabels(Map.of("x", "y"))
        .withManagedFields(entry("appserver-operator", "Apply", null), entry("kube-controller-manager", "Update", "status"),
            entry("appserver-operator", "Update", null), entry("kubectl", "Apply", null))
        .endMetadata().withNewSpec().withReplicas(2).endSpec().withNewStatus().withReadyReplicas(2).endStatus().build();
  }

  @Test
  void deploymentStoreKeepsOnlyTheOperatorsOwnApplyEntryAndEverythingElse() {
    var store = TrimmedStore.<Deployment>of(TrimmedStore::ownManagedFieldsOnly);
    var d = deployment();
    store.put(store.getKey(d), d);
    var cached = store.get("a/web");
    assertThat(cached.getMetadata().getManagedFields()).singleElement().satisfies(f -> {
      assertThat(f.getManager()).isEqualTo("appserver-operator");
      assertThat(f.getOperation()).isEqualTo("Apply");
    });
    assertThat(cached.getMetadata().getLabels()).containsEntry("x", "y");
    assertThat(cached.getSpec().getReplicas()).isEqualTo(2);
    assertThat(cached.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(store.size()).isOne();
    assertThat(store.remove("a/web")).isSameAs(cached);
    assertThat(store.values()).isEmpty();
  }

  @Test
  void objectWithoutTheOperatorsEntryIsCachedWithNoneSoItsFirstMatchFails() {
    var d = deployment();
    d.getMetadata().setManagedFields(List.of(entry("kubectl", "Update", null)));
    assertThat(TrimmedStore.ownManagedFieldsOnly(d).getMetadata().getManagedFields()).isEmpty();
  }

  @Test
  void configMapIsCachedWithDigestsThatMatchTheDigestOfTheSameContentOnly() {
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("web-gunicorn").withNamespace("a")
        .withManagedFields(entry("appserver-operator", "Apply", null), entry("kubectl-edit", "Update", null)).endMetadata()
        .withData(Map.of("gunicorn.conf.py", "workers = 2\n")).build();
    var store = TrimmedStore.<ConfigMap>of(TrimmedStore::digestDataInPlace);
    store.put("a/web-gunicorn", cm);
    var cached = store.get("a/web-gunicorn");
    String digest = cached.getData().get("gunicorn.conf.py");
    assertThat(digest).startsWith(TrimmedStore.DIGEST_PREFIX).doesNotContain("workers").hasSize(TrimmedStore.DIGEST_PREFIX.length() + 64);
    assertThat(cached.getMetadata().getManagedFields()).hasSize(1);

    var same = new ConfigMapBuilder().withNewMetadata().withName("web-gunicorn").endMetadata()
        .withData(Map.of("gunicorn.conf.py", "workers = 2\n")).build();
    var other = new ConfigMapBuilder(same).withData(Map.of("gunicorn.conf.py", "workers = 3\n")).build();
    assertThat(TrimmedStore.digestData(same).getData()).isEqualTo(cached.getData());
    assertThat(TrimmedStore.digestData(other).getData()).isNotEqualTo(cached.getData());
    assertThat(same.getData().get("gunicorn.conf.py")).as("digestData copies").isEqualTo("workers = 2\n");
    assertThat(TrimmedStore.digestData(cached).getData()).as("a digest is not digested again").isEqualTo(cached.getData());
  }

  @Test
  void appServerIsCachedWithoutManagedFieldsOrItsClientSideApplyCopy() {
    var as = new AppServer();
    as.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("a")
        .withAnnotations(Map.of(TrimmedStore.LAST_APPLIED, "{\"spec\":{}}", "appserver.dev/promote", "true"))
        .withManagedFields(entry("kubectl-client-side-apply", "Update", null), entry("appserver-operator", "Apply", "status"))
        .build());
    var store = TrimmedStore.<AppServer>of(TrimmedStore::noManagedFields);
    store.put("a/web", as);
    var cached = store.get("a/web");
    assertThat(cached.getMetadata().getManagedFields()).isEmpty();
    assertThat(cached.getMetadata().getAnnotations()).containsOnlyKeys("appserver.dev/promote");
  }

  @Test
  void aStoreIsUsedOnlyWhereJosdkGivesItToOneInformer() {
    assertThat(TrimmedStore.usable(Set.of())).isTrue();
    assertThat(TrimmedStore.usable(Set.of("a"))).isTrue();
    assertThat(TrimmedStore.usable(Set.of("a", "b"))).isFalse();
  }
}
