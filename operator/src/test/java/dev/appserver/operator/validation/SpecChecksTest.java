package dev.appserver.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import org.junit.jupiter.api.Test;

class SpecChecksTest {

  @Test
  void invalidPodLabelIsRefusedNamingTheField() {
    var outcome = TestAppServers.validator().validate(TestAppServers.parse("""
        image: example/app:1
        app: app:app
        podLabels: {"team": "shop & co"}
        """));
    assertThat(outcome.valid()).isFalse();
    assertThat(outcome.message()).startsWith("spec.podLabels[team]: invalid value \"shop & co\"");
  }

  @Test
  void invalidAnnotationKeyIsRefused() {
    var outcome = TestAppServers.validator().validate(TestAppServers.parse("""
        image: example/app:1
        app: app:app
        podAnnotations: {"bad key": "x"}
        """));
    assertThat(outcome.message()).startsWith("spec.podAnnotations: invalid key \"bad key\"");
  }

  @Test
  void qualifiedNames() {
    assertThat(SpecChecks.qualifiedName("app.kubernetes.io/name")).isTrue();
    assertThat(SpecChecks.qualifiedName("team")).isTrue();
    assertThat(SpecChecks.qualifiedName("/x")).isFalse();
    assertThat(SpecChecks.qualifiedName("Example.com/x")).isFalse();
    assertThat(SpecChecks.qualifiedName("a".repeat(64))).isFalse();
    assertThat(SpecChecks.qualifiedName("-a")).isFalse();
  }

  @Test
  void validSpecGivesAModel() {
    var outcome = TestAppServers.validator().validate(TestAppServers.parse("""
        image: example/app:1
        app: app:app
        podLabels: {team: shop}
        podAnnotations: {"prometheus.io/scrape": "true"}
        """));
    assertThat(outcome.valid()).isTrue();
    assertThat(outcome.model().sizing().workers()).isEqualTo(3);
  }
}
