package dev.appserver.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The AppServer CRD generated from the api classes, admitted as the apiserver would. */
class AdmissionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Admission ADMISSION = Admission.fromClasspath();

  @Test
  void loadsTheGeneratedCrdOnce() {
    assertThat(Admission.fromClasspath()).isSameAs(ADMISSION);
  }

  @Test
  void defaultsCascadeIntoAMinimalAppServer() {
    Admission.Result result = ADMISSION.admit(minimal());

    assertThat(result.errors()).isEmpty();
    assertThat(result.valid()).isTrue();
    JsonNode spec = result.defaulted().get("spec");
    assertThat(spec.get("image").asText()).isEqualTo("registry.example.com/shop/web:1.4.2");
    assertThat(spec.get("port").asInt()).isEqualTo(8000);
    assertThat(spec.get("replicas").asInt()).isEqualTo(2);
    assertThat(spec.at("/workers/max").asInt()).isEqualTo(8);
    assertThat(spec.at("/workers/profile").asText()).isEqualTo("cpu");
    // No schema default: the worker class and threads follow the profile (resolved by Sizing).
    assertThat(spec.at("/workers/workerClass").isMissingNode()).isTrue();
    assertThat(spec.at("/workers/threads").isMissingNode()).isTrue();
    assertThat(spec.at("/workers/concurrency").isMissingNode()).isTrue();
    assertThat(spec.at("/workers/count").isMissingNode()).isTrue(); // no default
    assertThat(spec.at("/gunicorn/timeoutSeconds").asInt()).isEqualTo(30);
    assertThat(spec.at("/gunicorn/gracefulTimeoutSeconds").asInt()).isEqualTo(30);
    assertThat(spec.at("/gunicorn/keepAliveSeconds").asInt()).isEqualTo(75);
    assertThat(spec.at("/gunicorn/maxRequests").asInt()).isEqualTo(1000);
    assertThat(spec.at("/gunicorn/maxRequestsJitter").asInt()).isEqualTo(100);
    assertThat(spec.at("/gunicorn/preload").asBoolean(true)).isFalse();
    assertThat(spec.at("/gunicorn/logLevel").asText()).isEqualTo("info");
    assertThat(spec.at("/gunicorn/accessLog").asBoolean()).isTrue();
    assertThat(spec.at("/gunicorn/limitRequestLine").asInt()).isEqualTo(4094);
    assertThat(spec.at("/probes/path").asText()).isEqualTo("/health");
    assertThat(spec.at("/service/type").asText()).isEqualTo("ClusterIP");
    assertThat(spec.at("/service/port").asInt()).isEqualTo(80);
    assertThat(spec.at("/disruptionBudget/enabled").asBoolean()).isTrue();
    assertThat(spec.at("/autoscaling/enabled").asBoolean(true)).isFalse();
    assertThat(spec.at("/autoscaling/minReplicas").asInt()).isEqualTo(2);
    assertThat(spec.at("/autoscaling/targetCPUUtilizationPercentage").asInt()).isEqualTo(75);
    assertThat(spec.at("/autoscaling/metric").asText()).isEqualTo("cpu");
    assertThat(spec.at("/autoscaling/targetBusyPercent").asInt()).isEqualTo(70);
    assertThat(spec.at("/metrics").toString())
        .isEqualTo("{\"enabled\":true,\"podMonitor\":true,\"port\":9464,\"scrapeAnnotations\":true}");
    assertThat(spec.at("/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(spec.at("/strategy/progressDeadlineSeconds").asInt()).isEqualTo(600);
  }

  @Test
  void keepsWhatIsSetAndDefaultsTheRest() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("workers").put("workerClass", "gthread").put("threads", 4);
    spec(appServer).put("port", 9000);

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    JsonNode spec = result.defaulted().get("spec");
    assertThat(spec.get("port").asInt()).isEqualTo(9000);
    assertThat(spec.at("/workers/workerClass").asText()).isEqualTo("gthread");
    assertThat(spec.at("/workers/threads").asInt()).isEqualTo(4);
    assertThat(spec.at("/workers/max").asInt()).isEqualTo(8);
  }

  @Test
  void worksOnACopy() {
    ObjectNode appServer = minimal();
    spec(appServer).put("workrs", 1);
    String before = appServer.toString();

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(appServer.toString()).isEqualTo(before);
    assertThat(result.defaulted()).isNotSameAs(appServer);
    assertThat(result.defaulted().get("spec").has("workrs")).isFalse(); // pruned, as the apiserver stores it
  }

  static Stream<Arguments> badAppServers() {
    return AdmissionCases.BAD.stream().map(b -> arguments(b.name(), b.change(), b.field(), b.message()));
  }


  @ParameterizedTest(name = "{0}")
  @MethodSource("badAppServers")
  void rejectsBadAppServersNamingTheField(String name, Consumer<ObjectNode> change, String field, String message) {
    ObjectNode appServer = minimal();
    change.accept(spec(appServer));

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.valid()).isFalse();
    assertThat(result.errors())
        // Not "some validation rules were not checked ..." (no field), nor the scale subresource's own
        // check of spec.replicas, which names the field by its JSON path (.spec.replicas).
        .filteredOn(e -> !e.field().isEmpty() && !e.field().startsWith("."))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.message()).contains(message);
          assertThat(e.toString()).isEqualTo(field + ": " + e.message());
        });
  }

  @Test
  void blockingErrorsSkipTheRulesLikeTheApiserver() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("workers").put("workerClass", "fast").put("threads", 4);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "spec.workers.workerClass: Unsupported value: \"fast\": supported values: \"gevent\", \"gthread\", \"sync\", \"uvicorn\"",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
  }

  @Test
  void otherErrorsStillRunTheRules() {
    ObjectNode appServer = minimal();
    spec(appServer).put("app", "app").putObject("workers").put("threads", 4);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::field)
        .containsExactly("spec.app", "spec.workers.threads");
  }

  @Test
  void reportsEveryError() {
    ObjectNode appServer = minimal();
    spec(appServer).remove("image");
    spec(appServer).put("port", 0);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "spec.image: Required value",
        "spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
  }

  /** As kubectl's strict field validation: unknown fields are refused while decoding, so nothing else is reported. */
  @Test
  void unknownFieldsAreReportedAloneLikeStrictDecoding() {
    ObjectNode appServer = minimal();
    spec(appServer).remove("image");
    spec(appServer).put("port", 0).put("replics", 3);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly("spec.replics: unknown field");
  }

  @Test
  void negativeReplicasAreRefusedByTheSchemaAndByTheScaleSubresource() {
    ObjectNode appServer = minimal();
    spec(appServer).put("replicas", -1);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
        ".spec.replicas: Invalid value: -1: should be a non-negative integer");
  }

  @Test
  void acceptsAFullySpecifiedAppServer() throws Exception {
    JsonNode appServer = AdmissionCases.fullySpecified();

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().get("spec")).isEqualTo(appServer.get("spec")); // everything was set
  }

  @Test
  void acceptsTheBlueGreenStrategyAndUvicornWorkers() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("strategy").put("type", "BlueGreen");
    spec(appServer).putObject("workers").put("workerClass", "uvicorn");

    assertThat(ADMISSION.admit(appServer).errors()).isEmpty();
  }

  @Test
  void acceptsAnAppServerSerializedFromTheApiClasses() {
    JsonNode appServer = AdmissionCases.fromApiClasses();

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/workers/max").asInt()).isEqualTo(8);
    assertThat(result.defaulted().has("status")).isTrue();
  }

  @Test
  void leavesStatusAlone() {
    ObjectNode appServer = minimal();
    appServer.putObject("status").put("phase", 7).put("whatever", true);

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().get("status")).isEqualTo(appServer.get("status"));
  }

  @Test
  void checksMetadataNameLoosely() {
    ObjectNode noName = minimal();
    ((ObjectNode) noName.get("metadata")).remove("name");
    assertThat(ADMISSION.admit(noName).errors()).extracting(FieldError::toString).containsExactly(
        "metadata.name: Required value: name or generateName is required",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");

    ((ObjectNode) noName.get("metadata")).put("generateName", "web-");
    assertThat(ADMISSION.admit(noName).errors()).isEmpty();

    ObjectNode badName = minimal();
    ((ObjectNode) badName.get("metadata")).put("name", "Web_1");
    assertThat(ADMISSION.admit(badName).errors()).singleElement().satisfies(e -> {
      assertThat(e.field()).isEqualTo("metadata.name");
      assertThat(e.message()).startsWith("Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of");
    });
  }

  @Test
  void checksKindAndApiVersionWhenPresent() {
    ObjectNode appServer = minimal();
    appServer.put("kind", "Deployment").put("apiVersion", "apps/v1");

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "kind: Invalid value: \"Deployment\": must be AppServer",
        "apiVersion: Invalid value: \"apps/v1\": must be appserver.dev/v1alpha1");
  }

  @Test
  void explicitNullsAreDroppedOrDefaulted() {
    ObjectNode appServer = minimal();
    spec(appServer).putNull("port").putNull("workers").putNull("serviceAccountName");

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/port").asInt()).isEqualTo(8000);
    assertThat(result.defaulted().at("/spec/workers/profile").asText()).isEqualTo("cpu");
    assertThat(result.defaulted().get("spec").has("serviceAccountName")).isFalse();
  }

  // -----------------------------------------------------------------------------------------------

  private static ObjectNode minimal() {
    return AdmissionCases.minimal();
  }

  private static ObjectNode spec(ObjectNode appServer) {
    return AdmissionCases.spec(appServer);
  }
}
