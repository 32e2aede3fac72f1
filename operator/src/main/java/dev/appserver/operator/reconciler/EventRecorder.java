package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EventReason;

/** Records Kubernetes Events about an AppServer; the reason gives the Event its type. */
public interface EventRecorder {
  void record(AppServer about, EventReason reason, String message);
}
