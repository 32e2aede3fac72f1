package dev.appserver.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int render(String yaml) throws IOException {
    return Render.withBuiltInRules().render(new StringReader(yaml), "in.yaml",
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<HasMetadata> rendered() {
    return TestAppServers.K8S.unmarshal(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rendersEveryChildOfEveryAppServerAsMultiDocumentYaml() throws IOException {
    int code = render("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: a}
        spec: {image: x:1, app: 'app:app', resources: {limits: {cpu: 500m}}}
        ---
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: b, namespace: shop}
        spec: {image: x:1, app: 'app:app', autoscaling: {enabled: true, maxReplicas: 4}, resources: {requests: {cpu: 1}}}
        """);
    assertThat(code).as(err.toString()).isZero();
    var docs = rendered();
    assertThat(docs).extracting(HasMetadata::getKind).containsExactly(
        "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
        "ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler");
    assertThat(((ConfigMap) docs.get(0)).getData().get("gunicorn.conf.py")).contains("workers = 2\n");
    assertThat(docs.get(1).getMetadata().getNamespace()).isNull();
    assertThat(docs.get(5).getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(((Deployment) docs.get(1)).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsExactly("gunicorn", "--config", "/etc/gunicorn/gunicorn.conf.py", "app:app");
    assertThat(docs).allSatisfy(d -> assertThat(d.getMetadata().getOwnerReferences()).isNullOrEmpty());
  }

  @Test
  void saysHowEachAppServerIsSizedAndWhatIsInFlightInTotal() throws IOException {
    int code = render("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: chat}
        spec: {image: x:1, app: 'app:app', replicas: 3, resources: {limits: {cpu: 2}}, workers: {profile: io, concurrency: 100}}
        ---
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: b}
        spec: {image: x:1, app: 'app:app', resources: {limits: {cpu: 500m}}}
        """);
    assertThat(code).as(err.toString()).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("""
        # appserver/chat: io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gthread processes x 20 threads (concurrency 100) = 100 in flight
        # appserver/chat: 100 in flight per pod, 300 across 3 replicas
        ---
        """);
    assertThat(text).contains("""
        # appserver/b: cpu limit 500m: floor(2 x 0.5) + 1 = 2; 2 sync processes = 2 in flight
        # appserver/b: 2 in flight per pod, 4 across 2 replicas
        ---
        """);
    assertThat(text.indexOf("# appserver/b:")).isGreaterThan(text.lastIndexOf("name: \"chat\"")); // before its own documents
    assertThat(rendered()).hasSize(8); // the comments are no documents
  }

  @Test
  void invalidInputFailsNamingEveryBadField() throws IOException {
    int code = render("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata: {name: bad}
        spec: {image: x:1, app: app, port: 70000, workers: {threads: 4, workerClass: fast}}
        """);
    assertThat(code).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("appserver/bad: spec.app", "appserver/bad: spec.port", "appserver/bad: spec.workers.workerClass: Unsupported value: \"fast\"");
  }

  @Test
  void aFileWithoutAppServersIsAnError() throws IOException {
    assertThat(render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")).isEqualTo(1);
    assertThat(err.toString()).contains("not an appserver.dev/v1alpha1 AppServer", "no appserver.dev/v1alpha1 AppServer found");
  }

  @Test
  void theExampleRenders() throws IOException {
    var example = dev.appserver.operator.e2e.Kubectl.repoRoot().resolve("examples/appserver.yaml");
    assertThat(render(Files.readString(example))).as(err.toString()).isZero();
    assertThat(rendered()).hasSize(4);
  }
}
