package dev.appserver.operator.chart;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The documents helm rendered, with lookups by kind and name. */
public record Manifests(String yaml, List<JsonNode> documents) {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public static Manifests parse(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && doc.has("kind")) docs.add(doc);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Manifests(yaml, docs);
  }

  public List<JsonNode> ofKind(String kind) {
    return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  public JsonNode get(String kind, String name) {
    return documents.stream()
        .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + yaml));
  }

  /** "Kind/namespace/name" of every document. */
  public Set<String> ids() {
    Set<String> ids = new TreeSet<>();
    for (JsonNode d : documents) {
      ids.add(d.path("kind").asText() + "/" + d.path("metadata").path("namespace").asText("") + "/"
          + d.path("metadata").path("name").asText());
    }
    return ids;
  }

  public static <T> T as(JsonNode node, Class<T> type) {
    try {
      return YAML.treeToValue(node, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<PolicyRule> rules(JsonNode role) {
    List<PolicyRule> rules = new ArrayList<>();
    role.path("rules").forEach(r -> rules.add(as(r, PolicyRule.class)));
    return rules;
  }

  /**
   * The rules as "group/resource" (or "group/resource[names]") to verbs; an empty group is the
   * core group.
   */
  public static Map<String, Set<String>> grants(List<PolicyRule> rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (PolicyRule r : rules) {
      String names = r.getResourceNames() == null || r.getResourceNames().isEmpty() ? "" : r.getResourceNames().toString();
      for (String group : r.getApiGroups()) {
        for (String resource : r.getResources()) {
          grants.computeIfAbsent(group + "/" + resource + names, k -> new TreeSet<>()).addAll(r.getVerbs());
        }
      }
    }
    return grants;
  }
}
