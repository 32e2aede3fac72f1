package dev.appserver.operator.e2e;

import dev.appserver.operator.api.v1alpha1.AppServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Shared set-up of the end-to-end tests: the CRD installed on the local control plane, a fresh
 * namespace per test, the operator running in this JVM for that test and watching only that
 * namespace, and helpers that drive kubectl and read with a client of their own.
 */
abstract class E2ESupport {

  /** On a test that runs the operator's jar itself: no operator is started in this JVM. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface OperatorAsProcess {}

  /** Reads for the tests (the operator's own client records the operator's writes only). */
  static KubernetesClient kube;

  /** This test's operator, or null for {@link OperatorAsProcess} tests. */
  OperatorUnderTest operator;
  String ns;

  @BeforeAll
  static void installCrd() {
    Kubectl.installCrd();
    kube = new KubernetesClientBuilder().build();
  }

  @AfterAll
  static void closeClient() {
    if (kube != null) kube.close();
    kube = null;
  }

  @BeforeEach
  void namespaceAndOperator(TestInfo test) throws Exception {
    ns = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    Kubectl.run("create", "namespace", ns).ok();
    boolean asProcess = test.getTestMethod().map(m -> m.isAnnotationPresent(OperatorAsProcess.class)).orElse(false);
    if (!asProcess) operator = new OperatorUnderTest(ns);
  }

  @AfterEach
  void stopOperatorAndDeleteNamespace() {
    if (operator != null) operator.close();
    operator = null;
    Kubectl.run("delete", "namespace", ns, "--wait=false");
  }

  static String appServer(String name, String spec) {
    return """
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata:
          name: %s
        spec:
        %s""".formatted(name, spec.stripIndent().lines().map(l -> "  " + l + "\n").reduce("", String::concat));
  }

  Kubectl.Result apply(String yaml) {
    return Kubectl.runWithInput(yaml, "-n", ns, "apply", "-f", "-");
  }

  void waitReady(String name) {
    Kubectl.run("-n", ns, "wait", "--for=condition=Ready", "--timeout=120s", "appserver/" + name).ok();
  }

  Deployment deployment(String name) {
    return kube.apps().deployments().inNamespace(ns).withName(name).get();
  }

  AppServer appServerResource(String name) {
    return kube.resources(AppServer.class).inNamespace(ns).withName(name).get();
  }
}
