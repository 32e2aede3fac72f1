package dev.appserver.operator.e2e;

import dev.appserver.operator.api.v1alpha1.AppServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared set-up of the end-to-end tests: the CRD installed on the local control plane, the
 * operator running in this JVM, a fresh namespace per test, and helpers that drive kubectl.
 */
abstract class E2ESupport {

  static final Duration RESYNC = Duration.ofSeconds(3);
  static OperatorUnderTest operator;

  String ns;

  @BeforeAll
  static void installCrdAndStartOperator() throws Exception {
    Kubectl.installCrd();
    operator = new OperatorUnderTest(RESYNC);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) operator.close();
    operator = null;
  }

  @BeforeEach
  void namespace() {
    ns = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    Kubectl.run("create", "namespace", ns).ok();
  }

  @AfterEach
  void deleteNamespace() {
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
    return operator.client.apps().deployments().inNamespace(ns).withName(name).get();
  }


  AppServer appServerResource(String name) {
    return operator.client.resources(AppServer.class).inNamespace(ns).withName(name).get();
  }
}
