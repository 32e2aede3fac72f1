package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import org.junit.jupiter.api.Test;

/**
 * Where the model must default what the schema could not (no blueGreen block, a WorkersSpec built
 * without admission), it gives exactly what the schema's defaulting gives.
 */
class SchemaDefaultsTest {
  @Test
  void blueGreenWithoutItsBlockGetsTheSchemasDefaults() {
    var withoutBlock = TestAppServers.model("""
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen}
        """);
    var defaultedBySchema = TestAppServers.model("""
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen, blueGreen: {}}
        """);
    assertThat(defaultedBySchema.spec().getStrategy().getBlueGreen().getAutoPromote()).isNotNull();
    assertThat(withoutBlock.blueGreen()).isEqualTo(defaultedBySchema.blueGreen())
        .isEqualTo(new BlueGreenSettings(true, 30, false));
  }

  @Test
  void workersWithoutDefaultingAreSizedAsTheSchemaDefaultsThem() {
    var defaulted = TestAppServers.model("""
        image: example/app:1
        app: app:app
        resources: {limits: {cpu: "8"}}
        """);
    assertThat(defaulted.spec().getWorkers().getMax()).isEqualTo(WorkersSpec.DEFAULT_MAX);
    var raw = Sizing.of(defaulted.spec().getResources(), new WorkersSpec());
    assertThat(raw).isEqualTo(defaulted.sizing());
    assertThat(raw.workers()).isEqualTo(8);
  }
}
