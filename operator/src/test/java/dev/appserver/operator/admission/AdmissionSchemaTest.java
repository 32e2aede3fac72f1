package dev.appserver.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/** {@link Admission#forSchema} on small schemas: the apiserver behaviours the AppServer CRD does not exercise. */
class AdmissionSchemaTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void defaultsArrayItemsAndMapValuesAndCascade() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            default: {}
            properties:
              ports:
                type: array
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    protocol: {type: string, default: TCP}
              sidecars:
                type: object
                additionalProperties:
                  type: object
                  properties:
                    image: {type: string}
                    limits:
                      type: object
                      default: {}
                      properties:
                        cpu: {type: string, default: 100m}
              mode: {type: string, default: fast}
        """);

    JsonNode defaulted = admission.admit(yaml("""
        metadata: {name: x}
        spec:
          ports: [{port: 80}, {port: 53, protocol: UDP}]
          sidecars: {proxy: {image: envoy}}
        """)).defaulted();

    assertThat(defaulted.get("spec")).isEqualTo(yaml("""
        ports: [{port: 80, protocol: TCP}, {port: 53, protocol: UDP}]
        sidecars: {proxy: {image: envoy, limits: {cpu: 100m}}}
        mode: fast
        """));
    assertThat(admission.admit(yaml("metadata: {name: x}")).defaulted().get("spec")).isEqualTo(yaml("mode: fast"));
  }

  @Test
  void nullsAreDefaultedDroppedOrKeptAsTheSchemaSays() {
    Admission admission = schema("""
        type: object
        properties:
          withDefault: {type: string, default: d}
          plain: {type: string}
          nullable: {type: string, nullable: true}
          list: {type: array, items: {type: string}}
        """);

    Admission.Result result = admission.admit(yaml("""
        metadata: {name: x}
        withDefault: null
        plain: null
        nullable: null
        list: [a, null]
        """));

    assertThat(result.defaulted()).isEqualTo(yaml("""
        metadata: {name: x}
        withDefault: d
        nullable: null
        list: [a, null]
        """));
    assertThat(result.errors()).extracting(FieldError::toString).containsExactly(
        "list[1]: Invalid value: \"null\": must be of type string",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
  }

  @Test
  void validatesValuesLikeTheApiserver() {
    Admission admission = schema("""
        type: object
        properties:
          count: {type: integer, minimum: 1, maximum: 10, multipleOf: 2}
          ratio: {type: number, exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 1}
          name: {type: string, minLength: 2, maxLength: 5, pattern: "[a-z]+"}
          tags: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
          labels: {type: object, minProperties: 1, maxProperties: 1, additionalProperties: {type: string}}
          size: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
          level: {type: integer, enum: [1, 2, 3]}
        """);

    assertThat(admission.admit(yaml("""
        metadata: {name: x}
        count: 12
        ratio: 1
        name: "ABCDEF"
        tags: []
        labels: {}
        size: true
        level: 4
        """)).errors()).extracting(FieldError::toString).containsExactly(
        "count: Invalid value: 12: count in body should be less than or equal to 10",
        "ratio: Invalid value: 1: ratio in body should be less than 1",
        "name: Too long: may not be more than 5 bytes",
        "name: Invalid value: \"ABCDEF\": name in body should match '[a-z]+'",
        "tags: Invalid value: 0: tags in body should have at least 1 items",
        "labels: Invalid value: 0: labels in body should have at least 1 properties",
        "size: Invalid value: \"boolean\": size in body must be of type integer,string: \"boolean\"",
        "level: Unsupported value: 4: supported values: \"1\", \"2\", \"3\"",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");

    assertThat(admission.admit(yaml("""
        metadata: {name: x}
        count: 3
        ratio: 0
        name: "a"
        tags: [a, b, c]
        labels: {a: "1", b: "2"}
        """)).errors()).extracting(FieldError::toString).containsExactly(
        "count: Invalid value: 3: count in body should be a multiple of 2",
        "ratio: Invalid value: 0: ratio in body should be greater than 0",
        "name: Invalid value: \"a\": name in body should be at least 2 chars long",
        "tags: Too many: 3: must have at most 2 items",
        "labels: Too many: 2: must have at most 1 item",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");

    // patterns match anywhere unless anchored (RE2 MatchString); whole numbers such as 2.0 are integers
    assertThat(admission.admit(yaml("""
        metadata: {name: x}
        count: 2.0
        ratio: 0.5
        name: "AbC"
        size: 50%
        level: 2
        """)).errors()).isEmpty();
    assertThat(admission.admit(yaml("{metadata: {name: x}, count: 2.5}")).errors())
        .extracting(FieldError::toString).first().isEqualTo("count: Invalid value: \"number\": count in body must be of type integer: \"number\"");
  }

  @Test
  void unknownFieldsAreReportedAndDroppedUnlessPreserved() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            properties:
              known: {type: string}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  typed: {type: integer}
              items:
                type: array
                items: {type: object, properties: {a: {type: string}}}
        """);

    Admission.Result result = admission.admit(yaml("""
        apiVersion: x/v1
        kind: X
        metadata: {name: x}
        spec:
          known: k
          other: 1
          free: {typed: 1, anything: {goes: [1]}}
          items: [{a: x, b: y}]
        top: 1
        """));

    assertThat(result.errors()).extracting(FieldError::toString).containsExactly(
        "top: unknown field", "spec.other: unknown field", "spec.items[0].b: unknown field");
    assertThat(result.defaulted()).isEqualTo(yaml("""
        apiVersion: x/v1
        kind: X
        metadata: {name: x}
        spec:
          known: k
          free: {typed: 1, anything: {goes: [1]}}
          items: [{a: x}]
        """));
  }

  @Test
  void rulesRunOnPresentValuesWithSelfBoundThere() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer}
              limits:
                type: object
                additionalProperties:
                  type: integer
                  x-kubernetes-validations:
                    - rule: self >= 0
                      message: must not be negative
              hosts:
                type: array
                items:
                  type: string
                  x-kubernetes-validations:
                    - rule: self.endsWith('.example.com')
            x-kubernetes-validations:
              - rule: self.replicas <= 5
                fieldPath: .replicas
              - rule: "!has(self.replicas) || self.replicas % 2 == 1"
                messageExpression: "'replicas must be odd, not ' + string(self.replicas)"
        """);

    assertThat(admission.admit(yaml("metadata: {name: x}")).errors()).isEmpty(); // spec absent: no rule runs
    assertThat(admission.admit(yaml("""
        metadata: {name: x}
        spec:
          replicas: 6
          limits: {cpu: -1, memory: 2}
          hosts: [a.example.com, b.example.org]
        """)).errors()).extracting(FieldError::toString).containsExactly(
        "spec.replicas: Invalid value: \"object\": failed rule: self.replicas <= 5",
        "spec: Invalid value: \"object\": replicas must be odd, not 6",
        "spec.limits[cpu]: Invalid value: \"integer\": must not be negative",
        "spec.hosts[1]: Invalid value: \"string\": failed rule: self.endsWith('.example.com')");
  }

  @Test
  void evaluationErrorsAreReportedLikeTheApiserver() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            properties:
              a: {type: integer}
              b: {type: integer}
            x-kubernetes-validations:
              - rule: self.a < self.b
                message: a must be below b
        """);

    assertThat(admission.admit(yaml("{metadata: {name: x}, spec: {a: 1}}")).errors()).extracting(FieldError::toString)
        .containsExactly("spec: Invalid value: \"object\": no such key: b evaluating rule: a must be below b");

    Admission dynamic = schema("""
        type: object
        properties:
          size: {x-kubernetes-int-or-string: true}
          n: {type: integer}
        x-kubernetes-validations:
          - rule: self.size > 1
          - rule: self.n + 9223372036854775807 > 0
            message: n is too big
        """);
    assertThat(dynamic.admit(yaml("{metadata: {name: x}, size: big, n: 1}")).errors()).extracting(FieldError::message)
        .containsExactly(
            "Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function"
                + " or macro signature for rule: self.size > 1",
            "Invalid value: \"object\": integer overflow evaluating rule: n is too big");
  }

  @Test
  void transitionRulesAreSkippedOnCreate() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            properties:
              name: {type: string}
            x-kubernetes-validations:
              - rule: self.name == oldSelf.name
                message: name is immutable
        """);

    assertThat(admission.admit(yaml("{metadata: {name: x}, spec: {name: a}}")).errors()).isEmpty();
  }

  @Test
  void propertyNamesAreEscapedForCel() {
    Admission admission = schema("""
        type: object
        properties:
          spec:
            type: object
            properties:
              namespace: {type: string}
              max-surge: {type: integer}
            x-kubernetes-validations:
              - rule: self.__namespace__ != 'kube-system' && self.max__dash__surge < 3
        """);

    assertThat(admission.admit(yaml("{metadata: {name: x}, spec: {namespace: web, max-surge: 1}}")).errors()).isEmpty();
    assertThat(admission.admit(yaml("{metadata: {name: x}, spec: {namespace: kube-system, max-surge: 1}}")).errors())
        .hasSize(1);
  }

  @Test
  void refusesRulesTheApiserverWouldRefuse() {
    assertThatThrownBy(() -> schema(withRule("self.replicas == 'two'", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("spec: rule `self.replicas == 'two'` does not compile");
    assertThatThrownBy(() -> schema(withRule("self.replics > 0", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("undefined field 'replics'");
    assertThatThrownBy(() -> schema(withRule("self.replicas", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must evaluate to a bool");
    assertThatThrownBy(() -> schema(withRule("self.replicas > 0", ".replics")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fieldPath `.replics` does not refer to a valid field");
  }

  @Test
  void refusesDefaultsThatFailTheirOwnRules() {
    // The apiserver validates a default as written, without the nested defaults: this CRD is refused.
    assertThatThrownBy(() -> schema("""
        type: object
        properties:
          workers:
            type: object
            default: {}
            properties:
              threads: {type: integer, default: 1}
            x-kubernetes-validations:
              - rule: self.threads == 1
        """))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the default of workers is invalid")
        .hasMessageContaining("no such key: threads");
    assertThatThrownBy(() -> schema("""
        type: object
        properties:
          port: {type: integer, maximum: 10, default: 80}
        """))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the default of port is invalid");
  }

  @Test
  void acceptsTheGeneratedCrdsRulesAndDefaults() {
    Admission admission = Admission.fromClasspath();
    assertThat(admission).isNotNull(); // would throw had a rule, fieldPath or default been refused
  }

  // -----------------------------------------------------------------------------------------------

  private static String withRule(String rule, String fieldPath) {
    return """
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer}
            x-kubernetes-validations:
              - rule: "%s"
        """.formatted(rule.replace("\"", "\\\"")) + (fieldPath == null ? "" : "        fieldPath: " + fieldPath + "\n");
  }

  private static Admission schema(String yaml) {
    return Admission.forSchema(yaml(yaml));
  }

  private static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
