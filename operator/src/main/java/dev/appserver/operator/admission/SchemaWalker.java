package dev.appserver.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Walks a JSON value along a structural OpenAPI v3 schema the way the apiextensions-apiserver does:
 * {@link #pruneAndDefault} drops unknown fields and non-nullable nulls and applies defaults;
 * {@link #validate} checks types, required, enum, pattern, bounds, lengths, item and property counts.
 *
 * <p>Paths are written like kube-openapi's: {@code spec.env[0].name}, and {@code spec.podLabels.app}
 * for a map entry. Messages follow the apiserver's field error bodies ({@code Required value},
 * {@code Unsupported value: ...}, {@code Too long: ...}, {@code Too many: ...}, {@code Invalid value: ...}).
 */
final class SchemaWalker {

  /** Fields every resource (and embedded resource) has outside its schema. */
  private static final Set<String> TYPE_AND_OBJECT_META = Set.of("apiVersion", "kind", "metadata");

  private final Map<JsonNode, Pattern> patterns = new IdentityHashMap<>();

  /** Compiles every {@code pattern} in the schema up front; throws if one is not a valid regex. */
  SchemaWalker(JsonNode rootSchema) {
    compilePatterns(rootSchema, "");
  }

  private void compilePatterns(JsonNode schema, String path) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    if (schema.hasNonNull("pattern")) {
      try {
        patterns.put(schema, Pattern.compile(schema.get("pattern").asText()));
      } catch (PatternSyntaxException e) {
        throw new IllegalStateException("invalid pattern in the schema at " + display(path) + ": " + e.getMessage(), e);
      }
    }
    schema.path("properties").fields().forEachRemaining(p -> compilePatterns(p.getValue(), join(path, p.getKey())));
    compilePatterns(schema.get("items"), path + "[*]");
    compilePatterns(schema.get("additionalProperties"), join(path, "*"));
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      schema.path(combinator).forEach(sub -> compilePatterns(sub, path));
    }
    compilePatterns(schema.get("not"), path);
  }

  // ---------------------------------------------------------------------------------------------
  // Pruning and defaulting

  /**
   * Removes fields the schema does not know (reporting each as {@code unknown field}) and null values of
   * non-nullable fields without a default, then sets every absent defaulted property to a copy of its
   * default, recursing into the defaults themselves, array items and map values.
   */
  void pruneAndDefault(JsonNode value, JsonNode schema, String path, boolean resourceRoot, List<FieldError> errors) {
    if (schema == null || !schema.isObject()) {
      return; // no schema, or additionalProperties: true: anything goes
    }
    if (value instanceof ObjectNode object) {
      pruneAndDefaultObject(object, schema, path, resourceRoot, errors);
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      JsonNode items = schema.get("items");
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isNull() && items.has("default") && !nullable(items)) {
          array.set(i, items.get("default").deepCopy());
        }
        pruneAndDefault(array.get(i), items, path + "[" + i + "]", false, errors);
      }
    }
  }

  private void pruneAndDefaultObject(ObjectNode object, JsonNode schema, String path, boolean resourceRoot,
      List<FieldError> errors) {
    boolean keepsMeta = resourceRoot || schema.path("x-kubernetes-embedded-resource").asBoolean(false);
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (String name : fieldNames(object)) {
      if (keepsMeta && TYPE_AND_OBJECT_META.contains(name)) {
        continue; // checked separately, loosely
      }
      JsonNode fieldSchema = fieldSchema(schema, name);
      JsonNode fieldValue = object.get(name);
      if (fieldSchema == null && !preserveUnknown) {
        errors.add(new FieldError(join(path, name), "unknown field"));
        object.remove(name);
      } else if (fieldSchema != null && fieldSchema.isObject() && fieldValue.isNull() && !nullable(fieldSchema)) {
        if (fieldSchema.has("default")) {
          object.set(name, fieldSchema.get("default").deepCopy());
        } else {
          object.remove(name);
        }
      }
    }
    schema.path("properties").fields().forEachRemaining(p -> {
      if (p.getValue().has("default") && !object.has(p.getKey())) {
        object.set(p.getKey(), p.getValue().get("default").deepCopy());
      }
    });
    for (String name : fieldNames(object)) {
      if (!(keepsMeta && TYPE_AND_OBJECT_META.contains(name))) {
        pruneAndDefault(object.get(name), fieldSchema(schema, name), join(path, name), false, errors);
      }
    }
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The schema of an object's field: a declared property or the map's value schema; null if unknown. */
  private static JsonNode fieldSchema(JsonNode schema, String name) {
    JsonNode property = schema.path("properties").get(name);
    if (property != null) {
      return property;
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isObject()) {
      return additional;
    }
    if (additional != null && additional.asBoolean(false)) {
      return additional; // additionalProperties: true
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Validation

  /** Collected errors, and whether any of them stops the apiserver from evaluating CEL rules. */
  static final class Errors {
    final List<FieldError> list = new ArrayList<>();
    boolean blocking;

    void add(String path, String message) {
      list.add(new FieldError(path, message));
    }

    /** Required, Unsupported, Too long, Too many and type errors: CEL rules are then not evaluated. */
    void addBlocking(String path, String message) {
      add(path, message);
      blocking = true;
    }
  }

  /** Validates {@code value} (present, possibly null) against {@code schema}. */
  void validate(JsonNode value, JsonNode schema, String path, Errors errors) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    if (value.isNull()) {
      if (!nullable(schema) && (schema.has("type") || intOrString(schema))) {
        errors.addBlocking(path, "Invalid value: \"null\": must be of type " + expectedType(schema));
      }
      return;
    }
    boolean typeOk = hasType(value, schema);
    if (!typeOk) {
      errors.addBlocking(path, "Invalid value: \"" + jsonType(value) + "\": " + inBody(path) + " must be of type "
          + expectedType(schema) + ": \"" + jsonType(value) + "\"");
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      String supported = stream(schema.get("enum"))
          .map(e -> quote(e.isTextual() ? e.asText() : e.toString()))
          .collect(Collectors.joining(", "));
      errors.addBlocking(path, "Unsupported value: " + render(value) + ": supported values: " + supported);
    }
    if (!typeOk) {
      return;
    }
    if (value.isTextual()) {
      validateString(value.asText(), schema, path, errors);
    } else if (value.isNumber()) {
      validateNumber(value, schema, path, errors);
    } else if (value instanceof ArrayNode array) {
      validateArray(array, schema, path, errors);
    } else if (value instanceof ObjectNode object) {
      validateObject(object, schema, path, errors);
    }
    validateCombinators(value, schema, path, errors);
  }

  private void validateString(String s, JsonNode schema, String path, Errors errors) {
    int length = s.codePointCount(0, s.length());
    if (schema.has("maxLength") && length > schema.get("maxLength").asLong()) {
      long max = schema.get("maxLength").asLong();
      errors.addBlocking(path, "Too long: may not be more than " + max + (max == 1 ? " byte" : " bytes"));
    }
    if (schema.has("minLength") && length < schema.get("minLength").asLong()) {
      long min = schema.get("minLength").asLong();
      errors.add(path, "Invalid value: " + quote(s) + ": " + inBody(path) + " should be at least " + min + " chars long");
    }
    Pattern pattern = patterns.get(schema);
    if (pattern != null && !pattern.matcher(s).find()) {
      errors.add(path, "Invalid value: " + quote(s) + ": " + inBody(path) + " should match '" + pattern.pattern() + "'");
    }
  }

  private static void validateNumber(JsonNode value, JsonNode schema, String path, Errors errors) {
    BigDecimal n = value.decimalValue();
    String invalid = "Invalid value: " + render(value) + ": " + inBody(path) + " should be ";
    if (schema.has("maximum")) {
      BigDecimal max = schema.get("maximum").decimalValue();
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? n.compareTo(max) >= 0 : n.compareTo(max) > 0) {
        errors.add(path, invalid + "less than " + (exclusive ? "" : "or equal to ") + plain(max));
      }
    }
    if (schema.has("minimum")) {
      BigDecimal min = schema.get("minimum").decimalValue();
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? n.compareTo(min) <= 0 : n.compareTo(min) < 0) {
        errors.add(path, invalid + "greater than " + (exclusive ? "" : "or equal to ") + plain(min));
      }
    }
    if (schema.has("multipleOf")) {
      BigDecimal factor = schema.get("multipleOf").decimalValue();
      if (factor.signum() > 0 && n.remainder(factor).signum() != 0) {
        errors.add(path, invalid + "a multiple of " + plain(factor));
      }
    }
  }

  private void validateArray(ArrayNode array, JsonNode schema, String path, Errors errors) {
    if (schema.has("maxItems") && array.size() > schema.get("maxItems").asLong()) {
      errors.addBlocking(path, "Too many: " + array.size() + ": must have at most "
          + plural(schema.get("maxItems").asLong(), "item"));
    }
    if (schema.has("minItems") && array.size() < schema.get("minItems").asLong()) {
      errors.add(path, "Invalid value: " + array.size() + ": " + inBody(path) + " should have at least "
          + schema.get("minItems").asLong() + " items");
    }
    if (schema.has("items")) {
      for (int i = 0; i < array.size(); i++) {
        validate(array.get(i), schema.get("items"), path + "[" + i + "]", errors);
      }
    }
  }

  private void validateObject(ObjectNode object, JsonNode schema, String path, Errors errors) {
    for (JsonNode required : schema.path("required")) {
      if (!object.has(required.asText())) {
        errors.addBlocking(join(path, required.asText()), "Required value");
      }
    }
    if (schema.has("maxProperties") && object.size() > schema.get("maxProperties").asLong()) {
      errors.addBlocking(path, "Too many: " + object.size() + ": must have at most "
          + plural(schema.get("maxProperties").asLong(), "item"));
    }
    if (schema.has("minProperties") && object.size() < schema.get("minProperties").asLong()) {
      errors.add(path, "Invalid value: " + object.size() + ": " + inBody(path) + " should have at least "
          + schema.get("minProperties").asLong() + " properties");
    }
    object.fields().forEachRemaining(field -> {
      JsonNode fieldSchema = fieldSchema(schema, field.getKey());
      if (fieldSchema != null) {
        validate(field.getValue(), fieldSchema, join(path, field.getKey()), errors);
      }
    });
  }

  /** allOf, anyOf, oneOf and not: value validations only, as structural schemas allow. */
  private void validateCombinators(JsonNode value, JsonNode schema, String path, Errors errors) {
    for (JsonNode sub : schema.path("allOf")) {
      validate(value, sub, path, errors);
    }
    if (schema.has("anyOf") && !intOrString(schema)
        && stream(schema.get("anyOf")).noneMatch(sub -> accepts(value, sub, path))) {
      errors.add(path, "Invalid value: " + render(value) + ": must validate at least one schema (anyOf)");
    }
    if (schema.has("oneOf") && stream(schema.get("oneOf")).filter(sub -> accepts(value, sub, path)).count() != 1) {
      errors.add(path, "Invalid value: " + render(value) + ": must validate one and only one schema (oneOf)");
    }
    if (schema.has("not") && accepts(value, schema.get("not"), path)) {
      errors.add(path, "Invalid value: " + render(value) + ": must not validate the schema (not)");
    }
  }

  private boolean accepts(JsonNode value, JsonNode schema, String path) {
    Errors scratch = new Errors();
    validate(value, schema, path, scratch);
    return scratch.list.isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** How the apiserver's OpenAPI validation names the value in its messages ("spec.port in body"). */
  static String inBody(String path) {
    return path + " in body";
  }

  static boolean nullable(JsonNode schema) {
    return schema.path("nullable").asBoolean(false);
  }

  static boolean intOrString(JsonNode schema) {
    return schema.path("x-kubernetes-int-or-string").asBoolean(false);
  }

  private static boolean hasType(JsonNode value, JsonNode schema) {
    if (intOrString(schema)) {
      return value.isTextual() || isInteger(value);
    }
    return switch (schema.path("type").asText("")) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> isInteger(value);
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true; // no type: any value (x-kubernetes-preserve-unknown-fields)
    };
  }

  /** JSON integers, and numbers such as 2.0 or 1e3 whose value is whole (the apiserver accepts both). */
  static boolean isInteger(JsonNode value) {
    if (value.isIntegralNumber()) {
      return true;
    }
    if (!value.isNumber() || ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue()))) {
      return false;
    }
    BigDecimal d = value.decimalValue();
    return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
  }

  private static String expectedType(JsonNode schema) {
    return intOrString(schema) ? "integer,string" : schema.path("type").asText();
  }

  private static String jsonType(JsonNode value) {
    if (value.isObject()) return "object";
    if (value.isArray()) return "array";
    if (value.isTextual()) return "string";
    if (value.isBoolean()) return "boolean";
    if (value.isNull()) return "null";
    return isInteger(value) ? "integer" : "number";
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    return stream(values).anyMatch(v -> v.isNumber() && value.isNumber()
        ? v.decimalValue().compareTo(value.decimalValue()) == 0
        : v.equals(value));
  }

  private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    return list.stream();
  }

  /** A value as the apiserver prints it: strings quoted, numbers and booleans plain, others as JSON. */
  static String render(JsonNode value) {
    if (value.isNumber()) {
      return isInteger(value) ? plain(value.decimalValue()) : value.asText();
    }
    return value.toString();
  }

  static String quote(String s) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
  }

  private static String plain(BigDecimal n) {
    return n.signum() == 0 ? "0" : n.stripTrailingZeros().toPlainString();
  }

  private static String plural(long n, String noun) {
    return n + " " + (n == 1 ? noun : noun.equals("property") ? "properties" : noun + "s");
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String display(String path) {
    return path.isEmpty() ? "the root" : path;
  }
}
