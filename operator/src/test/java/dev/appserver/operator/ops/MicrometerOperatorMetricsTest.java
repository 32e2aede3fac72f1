package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MicrometerOperatorMetricsTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final MicrometerOperatorMetrics metrics = new MicrometerOperatorMetrics(registry);

  @Test
  void rolloutCountersArePerNamespaceWithPrometheusNames() {
    metrics.rolloutStarted("team-a", "web");
    metrics.rolloutStarted("team-a", "api");
    metrics.rolloutStarted("team-b", "web");
    metrics.rolloutPromoted("team-a", "web");
    metrics.rolloutAbandoned("team-b", "web");
    String scrape = registry.scrape();
    assertThat(scrape).contains(
        "appserver_rollouts_started_total{namespace=\"team-a\"} 2.0",
        "appserver_rollouts_started_total{namespace=\"team-b\"} 1.0",
        "appserver_rollouts_promoted_total{namespace=\"team-a\"} 1.0",
        "appserver_rollouts_abandoned_total{namespace=\"team-b\"} 1.0",
        "# HELP appserver_rollouts_started_total ");
  }

  @Test
  void workersGaugeFollowsTheLatestValueAndIsForgotten() {
    metrics.workers("team-a", "web", 3);
    metrics.workers("team-a", "api", 2);
    metrics.workers("team-a", "web", 5);
    assertThat(registry.scrape()).contains(
        "appserver_workers{name=\"web\",namespace=\"team-a\"} 5.0",
        "appserver_workers{name=\"api\",namespace=\"team-a\"} 2.0");
    metrics.forget("team-a", "web");
    assertThat(registry.scrape()).doesNotContain("name=\"web\"").contains("appserver_workers{name=\"api\"");
    metrics.forget("team-a", "missing");
    metrics.workers("team-a", "web", 1);
    assertThat(registry.scrape()).contains("appserver_workers{name=\"web\",namespace=\"team-a\"} 1.0");
  }

  @Test
  void josdkCleanupOfADeletedAppServerForgetsIt() {
    metrics.workers("team-a", "web", 3);
    metrics.forgettingDeletedResources().cleanupDoneFor(new ResourceID("web", "team-a"), Map.of());
    assertThat(registry.scrape()).doesNotContain("appserver_workers{");
  }

  @Test
  void noopAcceptsEverythingAndRecordsNothing() {
    var noop = OperatorMetrics.NOOP;
    var global = io.micrometer.core.instrument.Metrics.globalRegistry;
    int metersBefore = global.getMeters().size();
    assertThatNoException().isThrownBy(() -> {
      noop.rolloutStarted("a", "b");
      noop.rolloutPromoted("a", "b");
      noop.rolloutAbandoned("a", "b");
      noop.workers("a", "b", 1);
      noop.forget("a", "b");
      noop.forget("a", "never-seen");
    });
    assertThat(global.getMeters()).hasSize(metersBefore);
    assertThat(registry.getMeters()).as("nothing reaches a registry it was not given").isEmpty();
  }
}
