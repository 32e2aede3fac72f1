package dev.appserver.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kubernetes' CEL quantity library and the quantity grammar behind it. Expected values are what
 * k8s.io/apimachinery v0.34's resource.ParseQuantity, AsInt64, Add and Sub return for the same input.
 */
class KubernetesQuantityCelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  // ---------------------------------------------------------------------------------------------
  // The functions, as CEL rules see them

  @ParameterizedTest
  @ValueSource(strings = {
      "quantity('500m').isLessThan(quantity('1'))",
      "quantity('1').isGreaterThan(quantity('500m'))",
      "quantity('1Gi').isGreaterThan(quantity('1G'))",
      "quantity('1Gi').compareTo(quantity('1G')) == 1",
      "quantity('1G').compareTo(quantity('1Gi')) == -1",
      "quantity('2') == quantity('2000m')",
      "quantity('2').compareTo(quantity('2000m')) == 0",
      "!quantity('2').isGreaterThan(quantity('2000m')) && !quantity('2').isLessThan(quantity('2000m'))",
      "quantity('1Ki') == quantity('1024')",
      "quantity('1e3') == quantity('1k')",
      "quantity('1') != quantity('1001m')",
      "isQuantity('500m') && isQuantity('2') && isQuantity('512Mi') && isQuantity('1.5Gi') && isQuantity('1e3')",
      "!isQuantity('lots') && !isQuantity('1.5.5') && !isQuantity('') && !isQuantity('1K') && !isQuantity('1m5')",
      "!isQuantity(' 1') && !isQuantity('1 ') && !isQuantity('0x10') && !isQuantity('1e') && !isQuantity('1mi')",
      "quantity('1e3').isInteger() && quantity('1e3').asInteger() == 1000",
      "quantity('1Gi').asInteger() == 1073741824",
      "!quantity('500m').isInteger()",
      "!quantity('2000m').isInteger()", // apimachinery keeps 2000 x 10^-3: not an int64 without a fraction
      "quantity('1.5Gi').asApproximateFloat() == 1610612736.0",
      "quantity('250m').asApproximateFloat() == 0.25",
      "quantity('-1').sign() == -1 && quantity('0').sign() == 0 && quantity('3m').sign() == 1",
      "quantity('1').add(quantity('500m')) == quantity('1500m')",
      "quantity('1').add(2) == quantity('3')",
      "quantity('1').add(2).isInteger()",
      "quantity('1Gi').sub(quantity('512Mi')) == quantity('512Mi')",
      "quantity('1').sub(3) == quantity('-2') && quantity('1').sub(3).sign() == -1",
      "quantity('500m').add(quantity('500m')) == quantity('1')",
  })
  void quantityLibraryHolds(String rule) {
    assertThat(check(rule, null)).as(rule).isEmpty();
  }

  @Test
  void falseRulesFail() {
    assertThat(check("quantity('500m').isGreaterThan(quantity('1'))", null))
        .extracting(FieldError::message).containsExactly("Invalid value: \"object\": failed rule: quantity('500m').isGreaterThan(quantity('1'))");
  }

  @Test
  void quantityOfAnInvalidStringIsAnEvaluationError() {
    assertThat(check("quantity('lots').sign() == 1", "q")).extracting(FieldError::message).containsExactly(
        "Invalid value: \"object\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            + " evaluating rule: q");
    assertThat(check("quantity('1K').sign() == 1", "q")).extracting(FieldError::message)
        .containsExactly("Invalid value: \"object\": unable to parse quantity's suffix evaluating rule: q");
  }

  @Test
  void asIntegerOfAFractionIsAnEvaluationError() {
    assertThat(check("quantity('1.5').asInteger() == 1", "q")).extracting(FieldError::message)
        .containsExactly("Invalid value: \"object\": cannot convert value to integer evaluating rule: q");
  }

  @Test
  void intOrStringValuesConvertWithString() {
    ObjectNode schema = rootSchema("isQuantity(string(self.size)) && quantity(string(self.size)).isGreaterThan(quantity('1'))");
    ((ObjectNode) schema.get("properties")).set("size",
        JSON.createObjectNode().put("x-kubernetes-int-or-string", true));
    Admission admission = Admission.forSchema(schema);
    assertThat(admission.admit(object().put("size", 2)).errors()).isEmpty();
    assertThat(admission.admit(object().put("size", "2Gi")).errors()).isEmpty();
    assertThat(admission.admit(object().put("size", "500m")).errors()).hasSize(1);
    assertThat(admission.admit(object().put("size", "lots")).errors()).hasSize(1);
  }

  @Test
  void functionsAreTypeChecked() {
    assertThatThrownBy(() -> Admission.forSchema(rootSchema("quantity(1).sign() == 1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("quantity(1)");
    assertThatThrownBy(() -> Admission.forSchema(rootSchema("quantity('1').isGreaterThan(1)")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Admission.forSchema(rootSchema("quantity('1')")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must evaluate to a bool");
  }

  // ---------------------------------------------------------------------------------------------
  // The grammar and arithmetic, directly

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // text        | amount               | isInteger
      "500m          | 0.5                  | false",
      "2000m         | 2                    | false",
      "2             | 2                    | true",
      "0             | 0                    | true",
      "1Gi           | 1073741824           | true",
      "1G            | 1000000000           | true",
      "1.5Gi         | 1610612736           | false",
      "1e3           | 1000                 | true",
      "1E-3          | 0.001                | false",
      "1e+3          | 1000                 | true",
      "+1            | 1                    | true",
      "-1            | -1                   | true",
      "1.0           | 1                    | false",
      ".5            | 0.5                  | false",
      "1.G           | 1000000000           | true",
      "1E            | 1000000000000000000  | true",
      "0.1n          | 0.000000001          | false", // rounded up to one nano unit
      "3.999999999n  | 0.000000004          | false",
      "1Ei           | 1152921504606846976  | false",
      "16Ei          | 9223372036854775807  | false", // binary quantities are capped at 2^63-1
      "99999999999999999999 | 99999999999999999999 | false",
      // apimachinery accepts a bare sign, a bare point or a bare suffix as zero
      "-             | 0                    | true",
      ".             | 0                    | true",
      "Ki            | 0                    | true",
      "m             | 0                    | false",
  })
  void parsesLikeApimachinery(String text, BigDecimal amount, boolean isInteger) {
    KubernetesQuantity q = KubernetesQuantity.parse(text);
    assertThat(q.amount()).isEqualByComparingTo(amount);
    assertThat(q.isInteger()).isEqualTo(isInteger);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "lots   | quantities must match the regular expression",
      "1.5.5  | quantities must match the regular expression",
      "' 1'   | quantities must match the regular expression",
      "1e3.5  | quantities must match the regular expression",
      "1K     | unable to parse quantity's suffix",
      "1m5    | unable to parse quantity's suffix",
      "1Ki5   | unable to parse quantity's suffix",
      "1e     | unable to parse quantity's suffix",
      "1Ee3   | unable to parse quantity's suffix",
      ".e-10  | unable to parse numeric part of quantity",
  })
  void rejectsWhatApimachineryRejects(String text, String message) {
    assertThat(KubernetesQuantity.isValid(text)).isFalse();
    assertThatThrownBy(() -> KubernetesQuantity.parse(text)).hasMessageStartingWith(message);
  }

  @Test
  void rejectsEmptyAndNull() {
    assertThat(KubernetesQuantity.isValid("")).isFalse();
    assertThat(KubernetesQuantity.isValid(null)).isFalse();
  }

  @Test
  void keepsApimachinerysIntegerRepresentationThroughArithmetic() {
    KubernetesQuantity one = KubernetesQuantity.parse("1");
    assertThat(one.add(KubernetesQuantity.parse("500m")).isInteger()).isFalse(); // 1500 x 10^-3
    assertThat(one.add(KubernetesQuantity.of(2)).asInteger()).isEqualTo(3);
    assertThat(KubernetesQuantity.parse("1k").add(one).asInteger()).isEqualTo(1001);
    assertThat(KubernetesQuantity.parse("1.5Ki").add(one).isInteger()).isFalse(); // arbitrary precision
    KubernetesQuantity max = KubernetesQuantity.parse("9223372036854775807");
    assertThat(max.isInteger()).isFalse(); // 19 digits: arbitrary precision already
    assertThat(KubernetesQuantity.parse("8E").add(KubernetesQuantity.parse("2E")).amount())
        .isEqualByComparingTo("10000000000000000000");
  }

  @Test
  void equalValuesAreEqualWhateverTheNotation() {
    assertThat(KubernetesQuantity.parse("2")).isEqualTo(KubernetesQuantity.parse("2000m"))
        .hasSameHashCodeAs(KubernetesQuantity.parse("2000m"));
    assertThat(KubernetesQuantity.parse("1Ki")).isEqualTo(KubernetesQuantity.parse("1.024k"));
    assertThat(List.of(KubernetesQuantity.parse("1G"), KubernetesQuantity.parse("1Gi"), KubernetesQuantity.parse("500m"))
        .stream().sorted().map(KubernetesQuantity::toString)).containsExactly("0.5", "1000000000", "1073741824");
  }

  // ---------------------------------------------------------------------------------------------

  /** Errors of an object {} under a root schema carrying one rule (with an optional message). */
  private static List<FieldError> check(String rule, String message) {
    ObjectNode schema = rootSchema(rule);
    if (message != null) {
      ((ObjectNode) schema.get("x-kubernetes-validations").get(0)).put("message", message);
    }
    return Admission.forSchema(schema).admit(object()).errors();
  }

  private static ObjectNode rootSchema(String rule) {
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    schema.putObject("properties");
    ArrayNode rules = schema.putArray("x-kubernetes-validations");
    rules.addObject().put("rule", rule);
    return schema;
  }

  private static ObjectNode object() {
    ObjectNode object = JSON.createObjectNode();
    object.putObject("metadata").put("name", "q");
    return object;
  }
}
