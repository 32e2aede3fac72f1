package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The request counter installed on a real client, against the fabric8 mock server. */
class ApiRequestsIT {

  @Test
  void countsTheRequestsOfAClientOnMetrics() {
    var server = new KubernetesMockServer();
    server.init();
    try {
      var requests = new ApiRequests();
      var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      requests.bindTo(registry);
      var config = server.createClient().getConfiguration();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
          .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(requests.interceptorName(), requests.interceptor()))
          .build()) {
        server.expect().get().withPath("/api/v1/namespaces/a/configmaps/c").andReturn(404, "").times(2);
        server.expect().patch().withPath("/api/v1/namespaces/a/configmaps/c?fieldManager=op&force=true")
            .andReturn(200, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"a\"}}").once();
        client.configMaps().inNamespace("a").withName("c").get();
        client.configMaps().inNamespace("a").withName("c").get();
        client.configMaps().inNamespace("a").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
            .withNewMetadata().withName("c").withNamespace("a").endMetadata().build()).fieldManager("op").forceConflicts().serverSideApply();
      }
      assertThat(requests.snapshot()).containsEntry(new ApiRequests.Key("get", "configmaps"), 2L)
          .containsEntry(new ApiRequests.Key("apply", "configmaps"), 1L);
      assertThat(registry.scrape())
          .contains("appserver_operator_api_requests_total{resource=\"configmaps\",verb=\"get\"} 2.0");
    } finally {
      server.destroy();
    }
  }
}
