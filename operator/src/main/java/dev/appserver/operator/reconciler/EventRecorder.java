package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;

/** Records Kubernetes Events about an AppServer. */
public interface EventRecorder {
  String NORMAL = "Normal";
  String WARNING = "Warning";

  void record(AppServer about, String type, String reason, String message);
}
