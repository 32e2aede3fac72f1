package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.admission.AdmissionCases;
import dev.appserver.operator.admission.AdmissionCases.Example;
import dev.appserver.operator.admission.FieldError;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our copy of admission (used by the operator at run time and by {@code render}) against the real
 * kube-apiserver: every admission case, good and bad, is created with a server-side dry run and
 * strict field validation (what {@code kubectl apply} sends), and the outcome must be the same:
 * accepted with the same defaulted spec, or refused with the same errors, message for message.
 */
class AdmissionCrossCheckE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Admission ADMISSION = Admission.fromClasspath();
  private static final Pattern UNKNOWN_FIELD = Pattern.compile("unknown field \"([^\"]+)\"");
  static KubernetesClient client;
  static String namespace;

  @BeforeAll
  static void crd() {
    Kubectl.installCrd();
    client = new KubernetesClientBuilder().build();
    namespace = "admission-" + UUID.randomUUID().toString().substring(0, 8);
    Kubectl.run("create", "namespace", namespace).ok();
  }

  @AfterAll
  static void close() {
    if (namespace != null) Kubectl.run("delete", "namespace", namespace, "--wait=false");
    if (client != null) client.close();
  }

  /** What the API server answered, in our terms: the defaulted object, or the errors. */
  record Answer(int code, JsonNode object, List<String> errors) {}

  static Answer dryRunCreate(ObjectNode example) throws Exception {
    // In a namespace that exists (admission does not look at the namespace; the API server needs it to exist).
    ObjectNode appServer = example.deepCopy();
    ((ObjectNode) appServer.get("metadata")).put("namespace", namespace);
    String url = client.getMasterUrl().toString().replaceAll("/$", "")
        + "/apis/appserver.dev/v1alpha1/namespaces/" + namespace + "/appservers?dryRun=All&fieldValidation=Strict";
    HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(URI.create(url))
        .post("application/json", JSON.writeValueAsString(appServer)).build();
    HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    JsonNode body = JSON.readTree(response.body());
    List<String> errors = new ArrayList<>();
    if (response.code() == 422) {
      for (JsonNode cause : body.path("details").path("causes")) {
        String field = cause.path("field").asText();
        String message = cause.path("message").asText();
        // The error about the object as a whole has no field path: Go prints the nil path and value.
        if (field.equals("<nil>")) {
          errors.add(message.replaceFirst("^Invalid value: null: ", ""));
        } else {
          errors.add(field + ": " + message);
        }
      }
    } else if (response.code() == 400) {
      // Strict field validation refuses unknown fields while decoding, before any validation.
      String message = body.path("message").asText();
      assertThat(message).as("a 400 that is not strict decoding").contains("strict decoding error:");
      Matcher m = UNKNOWN_FIELD.matcher(message);
      while (m.find()) errors.add(m.group(1) + ": unknown field");
      assertThat(errors).as("unknown fields in: " + message).isNotEmpty();
    } else {
      assertThat(response.code()).as("answer to a dry-run create: %s", response.body()).isIn(200, 201);
    }
    return new Answer(response.code(), body, errors);
  }

  static Stream<Example> cases() {
    return AdmissionCases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ourAdmissionAgreesWithTheApiServer(Example example) throws Exception {
    Admission.Result ours = ADMISSION.admit(example.appServer());
    Answer theirs = dryRunCreate(example.appServer());

    assertThat(ours.errors()).extracting(FieldError::toString).as("%s: our errors against the API server's", example)
        .containsExactlyInAnyOrderElementsOf(theirs.errors());
    assertThat(ours.valid()).as("%s admitted", example).isEqualTo(theirs.errors().isEmpty());
    if (ours.valid()) {
      assertThat(ours.defaulted().get("spec")).as("%s: the defaulted spec", example).isEqualTo(theirs.object().get("spec"));
    }
  }

  @Test
  void theCasesCoverGoodAndBadAndEveryBadCaseIsRefused() {
    assertThat(AdmissionCases.good()).hasSizeGreaterThanOrEqualTo(9);
    assertThat(AdmissionCases.BAD).hasSize(47);
    assertThat(AdmissionCases.all()).hasSize(AdmissionCases.good().size() + AdmissionCases.BAD.size()
        + AdmissionCases.moreBad().size());
    assertThat(Stream.concat(AdmissionCases.BAD.stream().map(b -> b.appServer()),
        AdmissionCases.moreBad().stream().map(Example::appServer)))
        .allSatisfy(a -> assertThat(ADMISSION.admit(a).valid()).isFalse());
  }
}
