package dev.appserver.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CEL environment of CRD validation rules, built from a structural schema: {@code self} typed as the
 * apiserver types it (objects with properties as object types whose fields are the escaped property
 * names, maps, lists, int, double, string, bool; int-or-string as dyn), the standard macros, the strings,
 * sets and optional extensions, and Kubernetes' quantity library on {@link KubernetesQuantity}.
 */
final class CelEnvironment {

  static final OpaqueType QUANTITY = OpaqueType.create("kubernetes.Quantity");

  private static final CelOptions OPTIONS = CelOptions.current()
      .enableHeterogeneousNumericComparisons(true) // cel-go's cross-type numeric comparisons: 1 < 1.5
      .errorOnIntWrap(true) // cel-go reports integer overflow as an error
      .enableOptionalSyntax(true)
      .build();

  /** CEL keywords a property name cannot be used as; the apiserver exposes them as __name__. */
  private static final Set<String> RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
      "var", "void", "while");

  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(OPTIONS)
      .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.optional())
      .addFunctionBindings(quantityBindings())
      .build();

  /** CEL types of schema nodes, by identity. */
  private final Map<JsonNode, CelType> types = new IdentityHashMap<>();
  private final Map<String, CelType> structs = new LinkedHashMap<>();
  private final CelCompiler baseCompiler;

  /** Derives the CEL type of every node of {@code rootSchema}, the schema of a whole resource. */
  CelEnvironment(JsonNode rootSchema) {
    typeOf(rootSchema, "self", true);
    CelTypeProvider provider = new CelTypeProvider() {
      @Override
      public ImmutableCollection<CelType> types() {
        return ImmutableList.copyOf(structs.values());
      }

      @Override
      public Optional<CelType> findType(String name) {
        return Optional.ofNullable(structs.get(name));
      }
    };
    baseCompiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.optional())
        .addFunctionDeclarations(quantityDeclarations())
        .setTypeProvider(provider)
        .build();
  }

  /** A compiler with {@code self} and {@code oldSelf} typed as the value at {@code schema}. */
  CelCompiler compilerFor(JsonNode schema) {
    CelType self = Optional.ofNullable(types.get(schema)).orElse(SimpleType.DYN);
    return baseCompiler.toCompilerBuilder().addVar("self", self).addVar("oldSelf", self).build();
  }

  /** Compiles an expression that must yield {@code resultType}; throws with the compiler's message. */
  static CelAbstractSyntaxTree compile(CelCompiler compiler, String expression, CelType resultType)
      throws CelValidationException {
    CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
    if (!ast.getResultType().equals(resultType)) { // the apiserver refuses dyn too
      throw new IllegalArgumentException("cel expression must evaluate to a " + resultType.name()
          + ", not " + ast.getResultType().name());
    }
    return ast;
  }

  static CelRuntime.Program program(CelAbstractSyntaxTree ast) {
    try {
      return RUNTIME.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new IllegalStateException("cannot plan CEL program: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Schema to CEL types, JSON to CEL values

  /** The CEL type of a schema node, as the apiserver's SchemaDeclType; null where it has none. */
  private CelType typeOf(JsonNode schema, String name, boolean resourceRoot) {
    if (schema == null || !schema.isObject()) {
      return null;
    }
    CelType type = computeType(schema, name, resourceRoot);
    if (type != null) {
      types.put(schema, type);
    }
    return type;
  }

  private CelType computeType(JsonNode schema, String name, boolean resourceRoot) {
    if (SchemaWalker.intOrString(schema)) {
      return SimpleType.DYN;
    }
    switch (schema.path("type").asText("")) {
      case "array": {
        CelType items = typeOf(schema.get("items"), name + ".@items", false);
        return items == null ? null : ListType.create(items);
      }
      case "object": {
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
          CelType values = typeOf(additional, name + ".@values", false);
          return values == null ? null : MapType.create(SimpleType.STRING, values);
        }
        Map<String, CelType> fields = new LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(p -> {
          CelType fieldType = typeOf(p.getValue(), name + "." + p.getKey(), false);
          String escaped = escape(p.getKey());
          if (fieldType != null && escaped != null) {
            fields.put(escaped, fieldType);
          }
        });
        if (resourceRoot || schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
          fields.put("apiVersion", SimpleType.STRING);
          fields.put("kind", SimpleType.STRING);
          Map<String, CelType> meta = Map.of("name", SimpleType.STRING, "generateName", SimpleType.STRING);
          fields.put("metadata", struct(name + ".metadata", meta));
        }
        return struct(name, fields);
      }
      case "string": return SimpleType.STRING;
      case "integer": return SimpleType.INT;
      case "number": return SimpleType.DOUBLE;
      case "boolean": return SimpleType.BOOL;
      default: return null;
    }
  }

  private CelType struct(String name, Map<String, CelType> fields) {
    Map<String, CelType> copy = Map.copyOf(fields);
    StructType type = StructType.create(name, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(copy.get(f)));
    structs.put(name, type);
    return type;
  }

  /** A JSON value as a CEL value shaped by its schema: objects as maps keyed by escaped property names. */
  static Object toCel(JsonNode value, JsonNode schema, boolean resourceRoot) {
    if (value == null || value.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (schema == null || !schema.isObject() || SchemaWalker.intOrString(schema)) {
      return plain(value);
    }
    String type = schema.path("type").asText("");
    if (type.equals("object") && value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      JsonNode additional = schema.get("additionalProperties");
      if (additional != null && additional.isObject()) {
        value.fields().forEachRemaining(f -> map.put(f.getKey(), toCel(f.getValue(), additional, false)));
        return map;
      }
      value.fields().forEachRemaining(f -> {
        JsonNode property = schema.path("properties").get(f.getKey());
        String escaped = escape(f.getKey());
        if (property != null && escaped != null) {
          map.put(escaped, toCel(f.getValue(), property, false));
        }
      });
      if (resourceRoot || schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
        for (String typeMeta : List.of("apiVersion", "kind")) {
          if (value.path(typeMeta).isTextual()) {
            map.put(typeMeta, value.get(typeMeta).asText());
          }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        for (String field : List.of("name", "generateName")) {
          if (value.path("metadata").path(field).isTextual()) {
            meta.put(field, value.path("metadata").get(field).asText());
          }
        }
        map.put("metadata", meta);
      }
      return map;
    }
    if (type.equals("array") && value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(toCel(item, schema.get("items"), false)));
      return list;
    }
    if (type.equals("number") && value.isNumber()) {
      return value.doubleValue();
    }
    return plain(value);
  }

  /** A JSON value as a CEL value without a schema (int-or-string, preserved unknown fields). */
  private static Object plain(JsonNode value) {
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value.fields().forEachRemaining(f -> map.put(f.getKey(), plain(f.getValue())));
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(plain(item)));
      return list;
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNumber()) {
      return SchemaWalker.isInteger(value) && value.canConvertToLong() ? (Object) value.longValue() : value.doubleValue();
    }
    return NullValue.NULL_VALUE;
  }

  /**
   * A property name as CEL sees it (the apiserver's escaping): keywords become {@code __in__},
   * {@code __} {@code .} {@code -} {@code /} become {@code __underscores__} {@code __dot__}
   * {@code __dash__} {@code __slash__}; null if the name cannot be accessed from CEL.
   */
  static String escape(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return null;
    }
    if (RESERVED.contains(name)) {
      return "__" + name + "__";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_' && i + 1 < name.length() && name.charAt(i + 1) == '_') {
        out.append("__underscores__");
        i++;
      } else if (c == '.' || c == '-' || c == '/') {
        out.append(c == '.' ? "__dot__" : c == '-' ? "__dash__" : "__slash__");
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
        out.append(c);
      } else {
        return null;
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go)

  private static List<CelFunctionDecl> quantityDeclarations() {
    CelType q = QUANTITY;
    return List.of(
        CelFunctionDecl.newFunctionDeclaration("quantity",
            CelOverloadDecl.newGlobalOverload("string_to_quantity", q, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("isQuantity",
            CelOverloadDecl.newGlobalOverload("is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("sign",
            CelOverloadDecl.newMemberOverload("quantity_sign", SimpleType.INT, q)),
        CelFunctionDecl.newFunctionDeclaration("isGreaterThan",
            CelOverloadDecl.newMemberOverload("quantity_is_greater_than", SimpleType.BOOL, q, q)),
        CelFunctionDecl.newFunctionDeclaration("isLessThan",
            CelOverloadDecl.newMemberOverload("quantity_is_less_than", SimpleType.BOOL, q, q)),
        CelFunctionDecl.newFunctionDeclaration("compareTo",
            CelOverloadDecl.newMemberOverload("quantity_compare_to", SimpleType.INT, q, q)),
        CelFunctionDecl.newFunctionDeclaration("asApproximateFloat",
            CelOverloadDecl.newMemberOverload("quantity_get_float", SimpleType.DOUBLE, q)),
        CelFunctionDecl.newFunctionDeclaration("asInteger",
            CelOverloadDecl.newMemberOverload("quantity_get_int", SimpleType.INT, q)),
        CelFunctionDecl.newFunctionDeclaration("isInteger",
            CelOverloadDecl.newMemberOverload("quantity_is_integer", SimpleType.BOOL, q)),
        CelFunctionDecl.newFunctionDeclaration("add",
            CelOverloadDecl.newMemberOverload("quantity_add", q, q, q),
            CelOverloadDecl.newMemberOverload("quantity_add_int", q, q, SimpleType.INT)),
        CelFunctionDecl.newFunctionDeclaration("sub",
            CelOverloadDecl.newMemberOverload("quantity_sub", q, q, q),
            CelOverloadDecl.newMemberOverload("quantity_sub_int", q, q, SimpleType.INT)));
  }

  private static List<CelFunctionBinding> quantityBindings() {
    Class<KubernetesQuantity> q = KubernetesQuantity.class;
    return List.of(
        CelFunctionBinding.from("string_to_quantity", String.class, s -> {
          try {
            return KubernetesQuantity.parse(s);
          } catch (IllegalArgumentException e) {
            throw new CelEvaluationException(e.getMessage());
          }
        }),
        CelFunctionBinding.from("is_quantity_string", String.class, KubernetesQuantity::isValid),
        CelFunctionBinding.from("quantity_sign", q, x -> (long) x.sign()),
        CelFunctionBinding.from("quantity_is_greater_than", q, q, KubernetesQuantity::isGreaterThan),
        CelFunctionBinding.from("quantity_is_less_than", q, q, KubernetesQuantity::isLessThan),
        CelFunctionBinding.from("quantity_compare_to", q, q, (x, y) -> (long) Integer.signum(x.compareTo(y))),
        CelFunctionBinding.from("quantity_get_float", q, KubernetesQuantity::asApproximateFloat),
        CelFunctionBinding.from("quantity_get_int", q, x -> {
          try {
            return x.asInteger();
          } catch (ArithmeticException e) {
            throw new CelEvaluationException(e.getMessage());
          }
        }),
        CelFunctionBinding.from("quantity_is_integer", q, KubernetesQuantity::isInteger),
        CelFunctionBinding.from("quantity_add", q, q, KubernetesQuantity::add),
        CelFunctionBinding.from("quantity_add_int", q, Long.class, (x, n) -> x.add(KubernetesQuantity.of(n))),
        CelFunctionBinding.from("quantity_sub", q, q, KubernetesQuantity::sub),
        CelFunctionBinding.from("quantity_sub_int", q, Long.class, (x, n) -> x.sub(KubernetesQuantity.of(n))));
  }
}
