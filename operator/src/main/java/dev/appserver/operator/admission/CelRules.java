package dev.appserver.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code x-kubernetes-validations} rules of a schema, each compiled once, and their evaluation the way
 * the apiserver does it: on every present, non-null value whose schema has rules, with {@code self} bound
 * to that value. Transition rules (those using {@code oldSelf}) are skipped, as on create.
 */
final class CelRules {

  private static final Pattern FIELD_PATH_TOKEN = Pattern.compile("\\.([^.\\[\\]]+)|\\['((?:[^'\\\\]|\\\\.)*)'\\]");

  private record Rule(String source, String message, CelRuntime.Program program, CelRuntime.Program messageExpression,
      String fieldPath, boolean transition) {

    /** The apiserver's ruleErrorString: the message, or else the rule. */
    String errorString() {
      return message.isBlank() ? source.strip() : message.strip();
    }

    /** The apiserver's ruleMessageOrDefault. */
    String messageOrDefault() {
      return message.isBlank() ? "failed rule: " + errorString() : message.strip();
    }
  }

  private final Map<JsonNode, List<Rule>> rules = new IdentityHashMap<>();
  /** Schema nodes with rules on themselves or below, so evaluation skips rule-free subtrees. */
  private final Set<JsonNode> withRules = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * Compiles every rule of {@code rootSchema} (the schema of a whole resource).
   *
   * @throws IllegalStateException listing every rule, message expression or field path that the
   *     apiserver would refuse when the CRD is created
   */
  CelRules(JsonNode rootSchema) {
    CelEnvironment environment = new CelEnvironment(rootSchema);
    List<String> problems = new ArrayList<>();
    compileAll(environment, rootSchema, "", problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("invalid x-kubernetes-validations in the CRD schema:\n  "
          + String.join("\n  ", problems));
    }
  }

  private boolean compileAll(CelEnvironment environment, JsonNode schema, String path, List<String> problems) {
    if (schema == null || !schema.isObject()) {
      return false;
    }
    boolean found = false;
    if (schema.path("x-kubernetes-validations").size() > 0) {
      CelCompiler compiler = environment.compilerFor(schema);
      List<Rule> compiled = new ArrayList<>();
      for (JsonNode validation : schema.get("x-kubernetes-validations")) {
        Rule rule = compile(compiler, validation, schema, where(path), problems);
        if (rule != null) {
          compiled.add(rule);
        }
      }
      rules.put(schema, List.copyOf(compiled));
      found = true;
    }
    for (Map.Entry<String, JsonNode> property : iterable(schema.path("properties"))) {
      found |= compileAll(environment, property.getValue(), SchemaWalker.join(path, property.getKey()), problems);
    }
    found |= compileAll(environment, schema.get("items"), path + "[*]", problems);
    found |= compileAll(environment, schema.get("additionalProperties"), path + "[*]", problems);
    if (found) {
      withRules.add(schema);
    }
    return found;
  }

  private static Rule compile(CelCompiler compiler, JsonNode validation, JsonNode schema, String where,
      List<String> problems) {
    String source = validation.path("rule").asText("");
    String message = validation.path("message").asText("");
    try {
      CelAbstractSyntaxTree ast = CelEnvironment.compile(compiler, source, SimpleType.BOOL);
      CelRuntime.Program messageExpression = null;
      if (validation.hasNonNull("messageExpression")) {
        messageExpression = CelEnvironment.program(
            CelEnvironment.compile(compiler, validation.get("messageExpression").asText(), SimpleType.STRING));
      }
      String fieldPath = normalizeFieldPath(validation.path("fieldPath").asText(""), schema);
      boolean transition = ast.getReferenceMap().values().stream().anyMatch(r -> r.name().equals("oldSelf"));
      return new Rule(source, message, CelEnvironment.program(ast), messageExpression, fieldPath, transition);
    } catch (CelValidationException e) {
      problems.add(where + ": rule " + quoteRule(source) + " does not compile: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      problems.add(where + ": rule " + quoteRule(source) + ": " + e.getMessage());
    }
    return null;
  }

  /** A rule's fieldPath (".a.b", ".m['key']") checked against the schema, as an error path suffix. */
  private static String normalizeFieldPath(String fieldPath, JsonNode schema) {
    StringBuilder normalized = new StringBuilder();
    JsonNode current = schema;
    Matcher token = FIELD_PATH_TOKEN.matcher(fieldPath);
    int end = 0;
    while (token.find() && token.start() == end) {
      end = token.end();
      String name = token.group(1) != null ? token.group(1) : token.group(2).replaceAll("\\\\(.)", "$1");
      if (current.has("properties")) {
        current = current.get("properties").get(name);
        normalized.append(normalized.length() == 0 ? "" : ".").append(name);
      } else if (current.path("additionalProperties").isObject()) {
        current = current.get("additionalProperties");
        normalized.append('[').append(name).append(']');
      } else {
        current = null;
      }
      if (current == null) {
        throw new IllegalArgumentException("fieldPath " + quoteRule(fieldPath) + " does not refer to a valid field");
      }
    }
    if (end != fieldPath.length()) {
      throw new IllegalArgumentException("fieldPath " + quoteRule(fieldPath) + " is not a valid JSON path");
    }
    return normalized.toString();
  }

  /**
   * Evaluates the rules of {@code schema} and of everything below it against {@code value} (the value at
   * {@code path}; {@code resourceRoot} when it is a whole resource), adding an error per failed rule.
   */
  void validate(JsonNode value, JsonNode schema, String path, boolean resourceRoot, List<FieldError> errors) {
    if (value == null || value.isNull() || schema == null || !withRules.contains(schema)) {
      return; // the apiserver only validates non-null values
    }
    List<Rule> own = rules.getOrDefault(schema, List.of());
    if (!own.isEmpty()) {
      Map<String, Object> activation = Map.of("self", CelEnvironment.toCel(value, schema, resourceRoot));
      // The apiserver reports a failed rule as an invalid value shown as the type of the schema it is on.
      String invalid = "Invalid value: " + SchemaWalker.quote(schema.path("type").asText("")) + ": ";
      for (Rule rule : own) {
        if (!rule.transition()) {
          evaluate(rule, activation, path, invalid, errors);
        }
      }
    }
    if (value.isObject()) {
      value.fields().forEachRemaining(field -> {
        JsonNode property = schema.path("properties").get(field.getKey());
        if (property != null) {
          validate(field.getValue(), property, SchemaWalker.join(path, field.getKey()), false, errors);
        } else if (schema.path("additionalProperties").isObject()) {
          validate(field.getValue(), schema.get("additionalProperties"), path + "[" + field.getKey() + "]", false, errors);
        }
      });
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        validate(value.get(i), schema.get("items"), path + "[" + i + "]", false, errors);
      }
    }
  }

  private static void evaluate(Rule rule, Map<String, Object> activation, String path, String invalid,
      List<FieldError> errors) {
    Object result;
    try {
      result = rule.program().eval(activation);
    } catch (Exception e) {
      errors.add(new FieldError(path, invalid + evaluationError(e, rule)));
      return;
    }
    if (!Boolean.TRUE.equals(result)) {
      String field = rule.fieldPath().isEmpty() ? path
          : rule.fieldPath().startsWith("[") ? path + rule.fieldPath() : SchemaWalker.join(path, rule.fieldPath());
      errors.add(new FieldError(field, invalid + message(rule, activation)));
    }
  }

  private static String message(Rule rule, Map<String, Object> activation) {
    if (rule.messageExpression() != null) {
      try {
        Object message = rule.messageExpression().eval(activation);
        if (message instanceof String s && !s.isBlank() && !s.contains("\n")) {
          return s.strip();
        }
      } catch (Exception e) {
        // the apiserver falls back to the static message
      }
    }
    return rule.messageOrDefault();
  }

  /** An evaluation error in the apiserver's words ("no such key: x evaluating rule: ..."). */
  private static String evaluationError(Exception e, Rule rule) {
    String detail = String.valueOf(e.getMessage())
        .replaceFirst("^evaluation error(?: at [^:]*:\\d+)?: ", "")
        .replaceFirst("^long overflow$", "integer overflow")
        .replaceFirst("^Index out of bounds: ", "index out of bounds: ");
    Matcher missingKey = Pattern.compile("key '(.*)' is not present in map\\.?").matcher(detail);
    if (missingKey.find()) {
      detail = "no such key: " + missingKey.group(1);
    } else if (detail.toLowerCase(java.util.Locale.ROOT).contains("no matching overload")) {
      return "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: "
          + rule.errorString();
    }
    return detail + " evaluating rule: " + rule.errorString();
  }

  private static String where(String path) {
    return path.isEmpty() ? "the root" : path;
  }

  private static String quoteRule(String rule) {
    return "`" + rule + "`";
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
    return object::fields;
  }
}
