package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ApplyFailureMessageTest {
  @Test
  void aFailureWithoutAMessageIsNamedByItsKindNotNull() {
    assertThat(AppServerReconciler.describe(new NullPointerException())).isEqualTo("NullPointerException");
    assertThat(AppServerReconciler.describe(new IllegalStateException(" "))).isEqualTo("IllegalStateException");
  }

  @Test
  void aFailureWithAMessageIsDescribedByIt() {
    assertThat(AppServerReconciler.describe(new KubernetesClientException("admission webhook denied the request")))
        .isEqualTo("admission webhook denied the request");
  }
}
