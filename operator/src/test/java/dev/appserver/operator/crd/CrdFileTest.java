package dev.appserver.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.e2e.Kubectl;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The committed CRD (crds/ and the Helm chart's crds/) is the generated one, with printer columns
 * in the order the API class declares them (the generator sorts them by JSON path). Run
 * {@code make crd} to rewrite the committed copies after changing the API classes.
 */
class CrdFileTest {
  static final String FILE = "appservers.appserver.dev-v1.yml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  static String expectedCrd() throws IOException {
    JsonNode crd;
    try (InputStream in = AppServer.class.getResourceAsStream("/META-INF/fabric8/" + FILE)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      crd = YAML.readTree(in);
    }
    List<String> order = Arrays.stream(AppServer.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.path("additionalPrinterColumns");
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort((a, b) -> Integer.compare(order.indexOf(a.path("name").asText()), order.indexOf(b.path("name").asText())));
      ((ObjectNode) version).putArray("additionalPrinterColumns").addAll(sorted);
    }
    return "# Generated from the AppServer API classes by `make crd`; do not edit.\n" + YAML.writeValueAsString(crd);
  }

  static List<Path> committedCopies() {
    Path root = Kubectl.repoRoot();
    List<Path> copies = new ArrayList<>(List.of(root.resolve("crds").resolve(FILE)));
    Path chart = root.resolve("helm/appserver-operator/crds").resolve(FILE);
    if (Files.isDirectory(chart.getParent())) copies.add(chart);
    return copies;
  }

  /** {@code make crd}: rewrites the committed copies, and checks nothing (the next run does). */
  @Test
  @EnabledIfSystemProperty(named = "appserver.writeCrd", matches = "true")
  void writeTheCommittedCrd() throws IOException {
    String expected = expectedCrd();
    for (Path copy : committedCopies()) Files.writeString(copy, expected, StandardCharsets.UTF_8);
  }

  @Test
  @DisabledIfSystemProperty(named = "appserver.writeCrd", matches = "true")
  void committedCrdMatchesTheApiClasses() throws IOException {
    String expected = expectedCrd();
    assertThat(committedCopies()).as("crds/ and the chart's crds/").hasSize(2);
    for (Path copy : committedCopies()) {
      assertThat(copy).as("%s is missing: run make crd", copy).exists();
      assertThat(Files.readString(copy, StandardCharsets.UTF_8))
          .as("%s is stale: run make crd and commit it", copy).isEqualTo(expected);
    }
  }

  @Test
  void printerColumnsTellTheStoryInOrder() throws IOException {
    JsonNode crd = YAML.readTree(expectedCrd());
    List<String> names = new ArrayList<>();
    crd.path("spec").path("versions").get(0).path("additionalPrinterColumns").forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).containsExactly("Ready", "Workers", "Strategy", "Active", "Phase", "Busy%", "Sizing", "Age");
  }

  @Test
  void everySpecFieldIsDescribed() throws IOException {
    JsonNode crd = YAML.readTree(expectedCrd());
    JsonNode spec = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").path("properties").path("spec");
    assertThat(spec.path("properties").size()).as("the spec's schema in the generated CRD").isGreaterThan(20);
    List<String> undocumented = new ArrayList<>();
    List<String> visited = new ArrayList<>();
    collectUndescribed("spec", spec, undocumented, visited);
    assertThat(visited).as("every block of ours was looked into").containsExactlyInAnyOrderElementsOf(OUR_BLOCKS);
    assertThat(undocumented).isEmpty();
  }

  private static final List<String> OUR_BLOCKS = List.of("spec", "spec.workers", "spec.gunicorn", "spec.probes",
      "spec.probes.readiness", "spec.probes.liveness", "spec.probes.startup", "spec.service", "spec.disruptionBudget",
      "spec.autoscaling", "spec.strategy", "spec.strategy.rollingUpdate", "spec.strategy.blueGreen",
      "spec.strategy.blueGreen.prePromotionCheck", "spec.securityContext");

  /** Every field of the blocks we define carries a description (core Kubernetes types bring their own docs). */
  private static void collectUndescribed(String path, JsonNode schema, List<String> out, List<String> visited) {
    visited.add(path);
    schema.path("properties").fields().forEachRemaining(e -> {
      String p = path + "." + e.getKey();
      if (!e.getValue().has("description")) out.add(p);
      if (OUR_BLOCKS.contains(p)) collectUndescribed(p, e.getValue(), out, visited);
    });
  }
}
