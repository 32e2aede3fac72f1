package dev.appserver.operator;

import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** AppServers for tests, written as users write them and normalised by the real admission rules. */
public final class TestAppServers {
  public static final KubernetesSerialization K8S = new KubernetesSerialization();
  private static final AppServerValidator VALIDATOR = new AppServerValidator(Admission.fromClasspath());

  private TestAppServers() {}

  /** An AppServer named web in namespace shop whose spec is the given YAML (indented by two spaces). */
  public static AppServer parse(String specYaml) {
    String yaml = """
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata:
          name: web
          namespace: shop
        spec:
        """ + specYaml.stripIndent().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
    return K8S.unmarshal(yaml, AppServer.class);
  }

  public static AppServerValidator validator() {
    return VALIDATOR;
  }

  public static AppServerModel model(String specYaml) {
    var outcome = VALIDATOR.validate(parse(specYaml));
    if (!outcome.valid()) throw new AssertionError("test AppServer is invalid: " + outcome.message());
    return outcome.model();
  }

  public static AppServerModel minimal() {
    return model("""
        image: example/app:1
        app: app:app
        """);
  }
}
