package dev.appserver.operator.reconciler;

import dev.appserver.operator.advisor.SizingAdvisor;
import dev.appserver.operator.api.v1alpha1.AdvisorStatus;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.SizingAdvice;

/**
 * The sizing advisor's part of a reconcile: status.advisor from the latest reading and the current
 * sizing, and an Event when the verdict changes. Without a reading yet (just started), the status
 * keeps what it showed; with the advisor off, it shows nothing.
 */
final class AdvisorReport {
  private AdvisorReport() {}

  /** Sets {@code status.advisor} and records the Event a changed verdict calls for. */
  static void apply(SizingAdvisor advisor, AppServer resource, AppServerModel model, AppServerStatus status,
      EventRecorder events) {
    AdvisorStatus before = resource.getStatus() == null ? null : resource.getStatus().getAdvisor();
    if (!advisor.enabled()) {
      status.setAdvisor(null);
      return;
    }
    var reading = advisor.reading(resource);
    if (reading.isEmpty()) {
      status.setAdvisor(before);
      return;
    }
    AdvisorStatus now = SizingAdvice.advise(reading.get(), model);
    status.setAdvisor(now);
    AdvisorVerdict was = before == null ? null : before.getVerdict();
    AdvisorVerdict is = now.getVerdict();
    if (is == was || is == null) return;
    switch (is) {
      case RAISE_CONCURRENCY -> events.record(resource, EventReason.RaiseConcurrency, now.getMessage());
      case LOWER_CONCURRENCY -> events.record(resource, EventReason.LowerConcurrency, now.getMessage());
      case OK -> {
        if (was == AdvisorVerdict.RAISE_CONCURRENCY || was == AdvisorVerdict.LOWER_CONCURRENCY) {
          events.record(resource, EventReason.ConcurrencyFits, now.getMessage());
        }
      }
      case NOT_CAPPED -> { }
    }
  }
}
