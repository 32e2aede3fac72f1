package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.Names;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events, as kubectl describe shows them. A failure to record never fails a reconcile. */
public class KubernetesEventRecorder implements EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(KubernetesEventRecorder.class);
  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  /** Recently recorded events by AppServer uid, reason and message: repeats within the window are dropped. */
  private final Map<String, Instant> recent = new ConcurrentHashMap<>();
  private static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);

  public KubernetesEventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
  }

  @Override
  public void record(AppServer about, EventReason reason, String message) {
    var meta = about.getMetadata();
    Instant at = Instant.now(clock);
    String key = meta.getUid() + "/" + reason + "/" + message;
    Instant last = recent.get(key);
    if (last != null && last.plus(REPEAT_WINDOW).isAfter(at)) return;
    recent.put(key, at);
    if (recent.size() > 10_000) recent.entrySet().removeIf(e -> e.getValue().plus(REPEAT_WINDOW).isBefore(at));
    String now = at.toString();
    var event = new EventBuilder()
        .withNewMetadata()
          .withName(meta.getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
          .withNamespace(meta.getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(about.getApiVersion()).withKind(about.getKind())
            .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
            .withResourceVersion(meta.getResourceVersion())
            .build())
        .withType(reason.type().name())
        .withReason(reason.name())
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent(Names.OPERATOR).endSource()
        .withReportingComponent(Names.OPERATOR)
        .withReportingInstance(instance)
        .build();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      if (AppServerReconciler.namespaceTerminating(e)) return;
      log.warn("Could not record event {} for {}/{}: {}", reason, meta.getNamespace(), meta.getName(), e.getMessage());
    }
  }
}
