package dev.appserver.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.rollout.Children;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code render -f FILE}: the YAML of every child resource the operator would create for each
 * AppServer in FILE, with no cluster. Invalid input is refused by the same rules as admission.
 */
public final class Render {
  private static final KubernetesSerialization K8S = new KubernetesSerialization();
  private static final String API_VERSION = AppServer.GROUP + "/" + AppServer.VERSION;

  private final AppServerValidator validator;

  public Render(AppServerValidator validator) {
    this.validator = validator;
  }

  public static Render withBuiltInRules() {
    return new Render(new AppServerValidator(Admission.fromClasspath()));
  }

  /** @return the process exit code: 0 rendered, 1 invalid input */
  public int render(Reader input, String source, PrintStream out, PrintStream err) throws IOException {
    List<JsonNode> documents = readDocuments(input);
    List<String> errors = new ArrayList<>();
    List<List<HasMetadata>> children = new ArrayList<>();
    List<String> summaries = new ArrayList<>();
    int appServers = 0;
    for (int i = 0; i < documents.size(); i++) {
      JsonNode doc = documents.get(i);
      if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
      if (!doc.isObject() || !"AppServer".equals(doc.path("kind").asText()) || !API_VERSION.equals(doc.path("apiVersion").asText())) {
        err.printf("%s: document %d is not an %s AppServer; skipped%n", source, i + 1, API_VERSION);
        continue;
      }
      appServers++;
      String name = doc.path("metadata").path("name").asText("");
      String label = name.isEmpty() ? "document " + (i + 1) : "appserver/" + name;
      var outcome = validator.validate((ObjectNode) doc);
      if (!outcome.valid()) {
        outcome.errors().forEach(fe -> errors.add(source + ": " + label + ": " + fe));
        continue;
      }
      children.add(Children.initial(outcome.model()));
      var model = outcome.model();
      summaries.add("# " + label + ": " + model.sizing().explanation() + "\n# " + label + ": " + model.inFlightSummary());
    }
    if (!errors.isEmpty()) {
      errors.forEach(err::println);
      return 1;
    }
    if (appServers == 0) {
      err.printf("%s: no %s AppServer found%n", source, API_VERSION);
      return 1;
    }
    for (int i = 0; i < children.size(); i++) {
      // A YAML comment: tools that read the documents ignore it, people reviewing them see the sizing.
      out.println(summaries.get(i));
      for (HasMetadata child : children.get(i)) {
        if (child.getMetadata().getNamespace() == null) child.getMetadata().setNamespace(null);
        out.print(K8S.asYaml(child));
      }
    }
    return 0;
  }

  private static List<JsonNode> readDocuments(Reader input) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(input)) {
      var it = yaml.readValues(parser, JsonNode.class);
      while (it.hasNext()) docs.add(it.next());
    }
    return docs;
  }


}
