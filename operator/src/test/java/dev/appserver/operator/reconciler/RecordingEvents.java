package dev.appserver.operator.reconciler;

import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.model.EventReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fake recorder that keeps what it was told. */
public class RecordingEvents implements EventRecorder {
  public record Recorded(String name, String type, String reason, String message) {}

  public final List<Recorded> events = new CopyOnWriteArrayList<>();

  @Override
  public void record(AppServer about, EventReason reason, String message) {
    // As written on the Event.
    events.add(new Recorded(about.getMetadata().getName(), reason.type().name(), reason.name(), message));
  }

  public List<String> reasons() {
    return events.stream().map(Recorded::reason).toList();
  }

  /** The messages of the Events recorded with {@code reason}, in order. */
  public List<String> messages(String reason) {
    return events.stream().filter(e -> e.reason().equals(reason)).map(Recorded::message).toList();
  }
}
