package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiRequestsTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      GET    | /api/v1/namespaces/a/configmaps?labelSelector=x                           |                                  | list   | configmaps
      GET    | /api/v1/namespaces/a/configmaps?labelSelector=x&watch=true&resourceVersion=5 |                            | watch  | configmaps
      GET    | /apis/apps/v1/namespaces/a/deployments/web                               |                                  | get    | deployments
      GET    | /apis/apps/v1/deployments                                                |                                  | list   | deployments
      GET    | /api/v1/namespaces/a                                                     |                                  | get    | namespaces
      GET    | /apis/apiextensions.k8s.io/v1/customresourcedefinitions/scaledobjects.keda.sh |                             | get    | customresourcedefinitions
      GET    | /apis                                                                    |                                  | get    | discovery
      GET    | /version                                                                 |                                  | get    | discovery
      POST   | /api/v1/namespaces/a/events                                              | application/json                 | create | events
      PATCH  | /apis/apps/v1/namespaces/a/deployments/web?fieldManager=appserver-operator&force=true | application/apply-patch+yaml | apply | deployments
      PATCH  | /apis/appserver.dev/v1alpha1/namespaces/a/appservers/web/status          | application/apply-patch+yaml     | apply  | appservers/status
      PATCH  | /apis/appserver.dev/v1alpha1/namespaces/a/appservers/web                 | application/json-patch+json      | patch  | appservers
      PUT    | /apis/coordination.k8s.io/v1/namespaces/a/leases/op                      | application/json                 | update | leases
      DELETE | /api/v1/namespaces/a/configmaps/web-gunicorn                             |                                  | delete | configmaps
      DELETE | /api/v1/namespaces/a/configmaps                                          |                                  | deletecollection | configmaps
      """)
  void namesVerbAndResourceAsTheApiServerDoes(String method, String uri, String contentType, String verb, String resource) {
    assertThat(ApiRequests.classify(method, URI.create(uri), contentType)).isEqualTo(new ApiRequests.Key(verb, resource));
  }
}
