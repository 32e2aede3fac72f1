package dev.appserver.operator.validation;

import dev.appserver.operator.admission.FieldError;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the CRD schema cannot express: values whose syntax Kubernetes only verifies when the
 * Deployment is written. Catching them first keeps a bad edit from half-applying.
 */
public final class SpecChecks {
  private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  private SpecChecks() {}

  public static List<FieldError> check(AppServerSpec spec) {
    List<FieldError> errors = new ArrayList<>();
    labels("spec.podLabels", spec.getPodLabels(), true, errors);
    labels("spec.podAnnotations", spec.getPodAnnotations(), false, errors);
    labels("spec.nodeSelector", spec.getNodeSelector(), true, errors);
    if (spec.getService() != null) labels("spec.service.annotations", spec.getService().getAnnotations(), false, errors);
    return errors;
  }

  private static void labels(String field, Map<String, String> map, boolean checkValues, List<FieldError> errors) {
    if (map == null) return;
    map.forEach((key, value) -> {
      if (!qualifiedName(key)) {
        errors.add(new FieldError(field, "invalid key \"" + key + "\": must be a qualified name (an optional DNS subdomain prefix and '/', then at most 63 characters: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)"));
      } else if (checkValues && (value == null || value.length() > 63 || !LABEL_VALUE.matcher(value).matches())) {
        errors.add(new FieldError(field + "[" + key + "]", "invalid value \"" + value + "\": at most 63 characters, alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"));
      }
    });
  }

  static boolean qualifiedName(String key) {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) return false;
    }
    return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
  }
}
