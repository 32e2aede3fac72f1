package dev.appserver.operator.reconciler;

import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the path through the API server's service proxy
 * ({@code /api/v1/namespaces/NS/services/NAME:http/proxy/PATH}), which works wherever the operator
 * runs, in the cluster or outside it, and needs only the {@code services/proxy} get permission.
 */
public class ServiceProxyPromotionCheck implements PromotionCheck {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxyPromotionCheck.class);
  private final KubernetesClient client;

  public ServiceProxyPromotionCheck(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public boolean passes(AppServerModel model, String previewService, String path, int timeoutSeconds) {
    String url = client.getMasterUrl().toString().replaceAll("/$", "")
        + "/api/v1/namespaces/" + enc(model.namespace()) + "/services/" + enc(previewService) + ":http/proxy" + path;
    try {
      HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
          .uri(URI.create(url)).timeout(timeoutSeconds, TimeUnit.SECONDS).build();
      HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class)
          .get(Duration.ofSeconds(timeoutSeconds + 1L).toMillis(), TimeUnit.MILLISECONDS);
      boolean ok = response.code() >= 200 && response.code() < 300;
      log.info("Pre-promotion check {}/{} {}: HTTP {}", model.namespace(), previewService, path, response.code());
      return ok;
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      log.info("Pre-promotion check {}/{} {} failed: {}", model.namespace(), previewService, path, e.toString());
      return false;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
