package dev.appserver.operator.reconciler;

import dev.appserver.operator.model.AppServerModel;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the path through the API server's service proxy
 * ({@code /api/v1/namespaces/NS/services/NAME:http/proxy/PATH}), which works wherever the operator
 * runs, in the cluster or outside it, and needs only the {@code services/proxy} get permission.
 * The request is asynchronous (the client's own HTTP client), and sent once: the client's retries
 * of 5xx answers would turn a quick 503 into a timeout.
 */
public class ServiceProxyPromotionCheck implements PromotionCheck {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxyPromotionCheck.class);
  private final KubernetesClient client;
  private final HttpClient http;

  public ServiceProxyPromotionCheck(KubernetesClient client) {
    this.client = client;
    this.http = client.getHttpClient().newBuilder().tag(sentOnce(client.getConfiguration().getRequestConfig())).build();
  }

  /** The client's request settings (impersonation included), without retries. */
  private static RequestConfig sentOnce(RequestConfig base) {
    RequestConfig once = new RequestConfigBuilder(base).withRequestRetryBackoffLimit(0).build();
    once.setImpersonateUsername(base.getImpersonateUsername());
    once.setImpersonateGroups(base.getImpersonateGroups());
    once.setImpersonateExtras(base.getImpersonateExtras());
    return once;
  }

  @Override
  public CompletionStage<Answer> start(AppServerModel model, String previewService, String path, int timeoutSeconds) {
    String url = client.getMasterUrl().toString().replaceAll("/$", "")
        + "/api/v1/namespaces/" + enc(model.namespace()) + "/services/" + enc(previewService) + ":http/proxy" + path;
    String what = model.namespace() + "/" + previewService + " " + path;
    CompletableFuture<Answer> answer;
    try {
      HttpRequest request = http.newHttpRequestBuilder().uri(URI.create(url)).timeout(timeoutSeconds, TimeUnit.SECONDS).build();
      answer = http.sendAsync(request, String.class).handle((response, error) -> {
        if (error != null) return new Answer(false, describe(error, timeoutSeconds));
        int code = response.code();
        return new Answer(code >= 200 && code < 300, "HTTP " + code);
      });
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(new Answer(false, describe(e, timeoutSeconds)));
    }
    return answer.whenComplete((a, e) -> log.info("Pre-promotion check {}: {}", what, a == null ? e : a.detail()));
  }

  private static String describe(Throwable error, int timeoutSeconds) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return "no answer within " + timeoutSeconds + "s";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName()
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
