package dev.appserver.operator.e2e;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * Records every API request a client makes and its answer, as the RBAC authorizer sees it: the
 * verb, API group, resource (with subresource), namespace and name.
 */
public final class RequestLog implements Interceptor {
  /** One authorization-relevant request. */
  public record Use(String verb, String group, String resource, String namespace, String name) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
          + (name.isEmpty() ? "" : "[" + name + "]") + (namespace.isEmpty() ? "" : " in " + namespace);
    }
  }

  public record Answer(String method, URI uri, int code) {}

  private final List<Use> uses = new CopyOnWriteArrayList<>();
  private final List<Answer> answers = new CopyOnWriteArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    parse(request.method(), request.uri(), 0).ifPresent(uses::add);
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    answers.add(new Answer(request.method(), request.uri(), response.code()));
    // Server-side apply of an object that did not exist creates it: the authorizer also checked "create".
    if (request.method().equals("PATCH") && response.code() == 201) parse("POST", request.uri(), 201).ifPresent(uses::add);
  }

  @Override
  public CompletableFuture<Boolean> afterFailure(BasicBuilder builder, HttpResponse<?> response, RequestTags tags) {
    answers.add(new Answer(response.request().method(), response.request().uri(), response.code()));
    return CompletableFuture.completedFuture(false);
  }

  /** The distinct requests, in the order first made. */
  public Set<Use> uses() {
    return new LinkedHashSet<>(uses);
  }

  public List<Answer> answers() {
    return List.copyOf(answers);
  }

  public List<Answer> forbidden() {
    return answers.stream().filter(a -> a.code() == 403).distinct().toList();
  }

  static java.util.Optional<Use> parse(String method, URI uri, int code) {
    String[] p = uri.getPath().replaceAll("^/+|/+$", "").split("/");
    int i;
    String group;
    if (p.length >= 2 && p[0].equals("api")) {
      group = "";
      i = 2;
    } else if (p.length >= 3 && p[0].equals("apis")) {
      group = p[1];
      i = 3;
    } else {
      return java.util.Optional.empty();
    }
    String namespace = "";
    if (p.length > i + 2 && p[i].equals("namespaces")) {
      namespace = p[i + 1];
      i += 2;
    }
    if (p.length <= i) return java.util.Optional.empty();
    String resource = p[i];
    String name = p.length > i + 1 ? p[i + 1] : "";
    if (p.length > i + 2) resource += "/" + p[i + 2];
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    String verb = switch (method) {
      case "GET" -> query.contains("watch=true") || query.contains("watch=1") ? "watch" : name.isEmpty() ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
      default -> method.toLowerCase();
    };
    return java.util.Optional.of(new Use(verb, group, resource, namespace, name));
  }
}
