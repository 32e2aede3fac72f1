package dev.appserver.operator.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared set-up of the tests that run the operator's jar as processes: the CRD, a fresh namespace
 * per test (named with {@link #namespacePrefix()}), and every process started stopped afterwards.
 */
abstract class ProcessE2ESupport {
  String ns;
  final List<OperatorProcess> processes = new ArrayList<>();

  abstract String namespacePrefix();

  @BeforeAll
  static void crd() {
    Kubectl.installCrd();
  }

  @BeforeEach
  void namespace() {
    ns = namespacePrefix() + UUID.randomUUID().toString().substring(0, 8);
    Kubectl.run("create", "namespace", ns).ok();
  }

  @AfterEach
  void cleanUp() {
    processes.forEach(OperatorProcess::close);
    Kubectl.run("delete", "namespace", ns, "--wait=false");
  }

  OperatorProcess start(String name, Map<String, String> env, String... args) {
    var p = OperatorProcess.start(ns + "-" + name, env, args);
    processes.add(p);
    return p;
  }
}
