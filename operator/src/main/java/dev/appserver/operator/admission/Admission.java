package dev.appserver.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Defaults and validates an object as the kube-apiserver does on create, from a CRD's structural schema:
 * the one place the operator's admission rules live (the CRD generated from the api classes).
 *
 * <p>{@link #admit} works on a deep copy and, like the apiserver: refuses unknown fields, reporting
 * each and nothing else (kubectl's strict field validation refuses them while decoding, before any
 * validation), drops non-nullable nulls, applies {@code default}s (nested ones cascade), checks
 * {@code metadata.name} and the scale subresource's replica count, validates against the schema and,
 * unless an error makes the apiserver skip them (required, enum, type, too long, too many), evaluates
 * the {@code x-kubernetes-validations} CEL rules. Messages are the apiserver's, word for word (an
 * end-to-end test compares them with the real one). {@code status} is left alone.
 *
 * <p>Instances are immutable and thread-safe; every CEL rule is compiled once, when the instance is built.
 */
public final class Admission {

  /** Where fabric8's crd-generator writes the AppServer CRD. */
  static final String CRD_RESOURCE = "META-INF/fabric8/appservers.appserver.dev-v1.yml";

  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String DNS1123_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case"
      + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g."
      + " 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  private static final String RULES_NOT_CHECKED = "some validation rules were not checked because the object was"
      + " invalid; correct the existing errors to complete validation";

  private final JsonNode schema;
  private final String apiVersion;
  private final String kind;
  private final SchemaWalker walker;
  private final CelRules rules;
  /** The scale subresource's specReplicasPath (".spec.replicas"), or null. */
  private final String specReplicasPath;

  private Admission(JsonNode schema, String apiVersion, String kind, String specReplicasPath) {
    this.schema = schema;
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.specReplicasPath = specReplicasPath;
    this.walker = new SchemaWalker(schema);
    this.rules = new CelRules(schema);
    checkDefaults(schema, "");
  }

  /** Loads the generated CRD (META-INF/fabric8/appservers.appserver.dev-v1.yml) from the classpath once. */
  public static Admission fromClasspath() {
    return Classpath.INSTANCE;
  }

  private static final class Classpath {
    static final Admission INSTANCE = load(CRD_RESOURCE);
  }

  /** Reads a CRD resource (YAML) and uses its first version's schema. */
  static Admission load(String resource) {
    try (InputStream in = Admission.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath; run mvn process-classes to generate it");
      }
      JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(in);
      JsonNode version = crd.path("spec").path("versions").path(0);
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      if (!schema.isObject()) {
        throw new IllegalStateException(resource + " has no spec.versions[0].schema.openAPIV3Schema");
      }
      String apiVersion = crd.path("spec").path("group").asText() + "/" + version.path("name").asText();
      JsonNode replicasPath = version.path("subresources").path("scale").path("specReplicasPath");
      return new Admission(schema.deepCopy(), apiVersion, crd.path("spec").path("names").path("kind").asText(),
          replicasPath.isTextual() ? replicasPath.asText() : null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /**
   * Also usable with any CRD's openAPIV3Schema (for tests). apiVersion and kind are not checked.
   *
   * @throws IllegalStateException if a CEL rule or pattern of the schema does not compile, or a default
   *     does not pass the schema, as the apiserver would refuse such a CRD
   */
  public static Admission forSchema(JsonNode openApiV3Schema) {
    Objects.requireNonNull(openApiV3Schema, "openApiV3Schema");
    return new Admission(openApiV3Schema.deepCopy(), null, null, null);
  }

  /** Applies structural defaults (like the apiserver) to a deep copy, then validates it. */
  public Result admit(JsonNode object) {
    if (!(object instanceof ObjectNode original)) {
      throw new IllegalArgumentException("expected a JSON object, got " + (object == null ? "null" : object.getNodeType()));
    }
    ObjectNode copy = original.deepCopy();
    JsonNode status = copy.remove("status"); // neither defaulted nor validated
    List<FieldError> errors = new ArrayList<>();
    walker.pruneAndDefault(copy, schema, "", true, errors);
    if (!errors.isEmpty()) {
      // Unknown fields: kubectl's strict field validation refuses them while decoding, before any validation.
      if (status != null) {
        copy.set("status", status);
      }
      return new Result(copy, errors);
    }
    checkTypeMeta(copy, errors);
    boolean blocking = checkMetadata(copy.get("metadata"), errors);
    SchemaWalker.Errors schemaErrors = new SchemaWalker.Errors();
    walker.validate(copy, schema, "", schemaErrors);
    errors.addAll(schemaErrors.list);
    checkScale(copy, errors);
    if (blocking || schemaErrors.blocking) {
      errors.add(new FieldError("", RULES_NOT_CHECKED));
    } else {
      rules.validate(copy, schema, "", true, errors);
    }
    if (status != null) {
      copy.set("status", status);
    }
    return new Result(copy, errors);
  }

  /** The outcome of {@link #admit}: the defaulted copy and every error (none when admitted). */
  public record Result(ObjectNode defaulted, List<FieldError> errors) {

    public Result {
      Objects.requireNonNull(defaulted, "defaulted");
      errors = List.copyOf(errors);
    }

    /** True when the apiserver would accept the object. */
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  // -----------------------------------------------------------------------------------------------

  private void checkTypeMeta(JsonNode object, List<FieldError> errors) {
    if (kind != null && object.has("kind") && !kind.equals(object.get("kind").asText())) {
      errors.add(new FieldError("kind", "Invalid value: " + SchemaWalker.render(object.get("kind")) + ": must be " + kind));
    }
    if (apiVersion != null && object.has("apiVersion") && !apiVersion.equals(object.get("apiVersion").asText())) {
      errors.add(new FieldError("apiVersion",
          "Invalid value: " + SchemaWalker.render(object.get("apiVersion")) + ": must be " + apiVersion));
    }
  }

  /**
   * The scale subresource's replica count must be a non-negative 32-bit integer; the apiserver names
   * the field by the CRD's specReplicasPath, leading dot included.
   */
  private void checkScale(JsonNode object, List<FieldError> errors) {
    if (specReplicasPath == null) {
      return;
    }
    JsonNode value = object;
    for (String key : specReplicasPath.replaceFirst("^\\.", "").split("\\.")) {
      value = value.path(key);
    }
    if (!value.isIntegralNumber()) {
      return; // absent (nothing to check) or of another type (the schema reports it)
    }
    if (value.asLong() < 0) {
      errors.add(new FieldError(specReplicasPath, "Invalid value: " + value.asText() + ": should be a non-negative integer"));
    } else if (value.asLong() > Integer.MAX_VALUE) {
      errors.add(new FieldError(specReplicasPath, "Invalid value: " + value.asText()
          + ": should be less than or equal to " + Integer.MAX_VALUE));
    }
  }

  /**
   * metadata.name (or generateName) is required and must be a DNS-1123 subdomain; the rest is not checked.
   *
   * @return whether an error was one that makes the apiserver skip the CEL rules (a missing name)
   */
  private static boolean checkMetadata(JsonNode metadata, List<FieldError> errors) {
    if (metadata != null && !metadata.isObject() && !metadata.isNull()) {
      errors.add(new FieldError("metadata", "Invalid value: " + SchemaWalker.render(metadata) + ": must be of type object"));
      return true;
    }
    JsonNode name = metadata == null ? null : metadata.get("name");
    if (name == null || name.isNull() || name.asText().isEmpty()) {
      if (metadata == null || metadata.path("generateName").asText("").isEmpty()) {
        errors.add(new FieldError("metadata.name", "Required value: name or generateName is required"));
        return true;
      }
      return false;
    }
    String value = name.asText();
    if (!name.isTextual()) {
      errors.add(new FieldError("metadata.name", "Invalid value: " + SchemaWalker.render(name) + ": must be of type string"));
      return true;
    }
    if (value.length() > 253) {
      errors.add(new FieldError("metadata.name", "Invalid value: " + SchemaWalker.quote(value)
          + ": must be no more than 253 characters"));
    }
    if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
      errors.add(new FieldError("metadata.name", "Invalid value: " + SchemaWalker.quote(value) + ": " + DNS1123_SUBDOMAIN_MESSAGE));
    }
    return false;
  }

  /**
   * Like the apiserver when a CRD is created: every default must pass its schema, CEL rules included,
   * as written (nested defaults are not applied to it first), and must not have unknown fields.
   */
  private void checkDefaults(JsonNode node, String path) {
    if (node == null || !node.isObject() || path.equals("metadata")) {
      return;
    }
    if (node.has("default")) {
      List<FieldError> errors = new ArrayList<>();
      walker.pruneAndDefault(node.get("default").deepCopy(), node, path, false, errors);
      errors.replaceAll(unknown -> new FieldError(unknown.field(), "must not have unknown fields"));
      SchemaWalker.Errors schemaErrors = new SchemaWalker.Errors();
      walker.validate(node.get("default"), node, path, schemaErrors);
      errors.addAll(schemaErrors.list);
      if (errors.isEmpty()) {
        rules.validate(node.get("default"), node, path, false, errors);
      }
      if (!errors.isEmpty()) {
        throw new IllegalStateException("the default of " + (path.isEmpty() ? "the root" : path)
            + " is invalid, so the apiserver would refuse the CRD: " + errors);
      }
    }
    node.path("properties").fields().forEachRemaining(p -> checkDefaults(p.getValue(), SchemaWalker.join(path, p.getKey())));
    checkDefaults(node.get("items"), path + "[*]");
  }
}
