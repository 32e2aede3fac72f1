package dev.appserver.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one place for resource names, labels and annotations the operator uses. */
public final class Names {
  public static final String OPERATOR = "appserver-operator";

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_COLOR = "appserver.dev/color";

  public static final String NAME_VALUE = "appserver";
  public static final String COMPONENT_VALUE = "gunicorn";

  public static final String ANNOTATION_CONFIG_HASH = "appserver.dev/config-hash";
  /** On a pod template: the digest of the ConfigMaps and Secrets the container reads its env from. */
  public static final String ANNOTATION_ENV_SOURCES_HASH = "appserver.dev/env-sources-hash";
  /** On a Deployment: the revision (pod template hash) it runs. */
  public static final String ANNOTATION_REVISION = "appserver.dev/revision";
  /** On a Deployment: the normalised AppServer spec it was built from, so it can be rebuilt exactly. */
  public static final String ANNOTATION_SPEC = "appserver.dev/spec";
  /** On an AppServer: switch traffic to the waiting colour (autoPromote false). */
  public static final String ANNOTATION_PROMOTE = "appserver.dev/promote";
  /** On an AppServer: abandon the rollout in progress; the active colour keeps serving. */
  public static final String ANNOTATION_ABORT = "appserver.dev/abort";
  /** On an AppServer: try an abandoned revision again. */
  public static final String ANNOTATION_RETRY = "appserver.dev/retry";

  /** Label selector for every resource this operator manages; informers watch only these. */
  public static final String MANAGED_SELECTOR = LABEL_MANAGED_BY + "=" + OPERATOR;

  public static final String CONTAINER = "app";
  public static final String PORT_NAME = "http";
  /** The container port that serves Gunicorn's metrics (spec.metrics). */
  public static final String METRICS_PORT_NAME = "metrics";

  private Names() {}

  /** Labels on every child resource of the AppServer called {@code instance}. */
  public static Map<String, String> commonLabels(String instance) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_NAME, NAME_VALUE);
    labels.put(LABEL_INSTANCE, instance);
    labels.put(LABEL_MANAGED_BY, OPERATOR);
    labels.put(LABEL_COMPONENT, COMPONENT_VALUE);
    return labels;
  }

  /** Labels that select every pod of the AppServer called {@code instance}, whatever its colour. */
  public static Map<String, String> podSelector(String instance) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_NAME, NAME_VALUE);
    labels.put(LABEL_INSTANCE, instance);
    return labels;
  }

  /** The selector as a label-selector string, for status.selector and the scale subresource. */
  public static String selectorString(Map<String, String> selector) {
    StringBuilder sb = new StringBuilder();
    selector.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }

  public static String colorDeployment(String instance, String color) {
    return instance + "-" + color;
  }

  public static String configMap(String deploymentName) {
    return deploymentName + "-gunicorn";
  }

  public static String service(String instance) {
    return instance;
  }

  public static String previewService(String instance) {
    return instance + "-preview";
  }

  public static String disruptionBudget(String instance) {
    return instance;
  }

  public static String autoscaler(String instance) {
    return instance;
  }

  public static String podMonitor(String instance) {
    return instance;
  }
}
