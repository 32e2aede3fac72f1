package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerStatus;
import dev.appserver.operator.api.v1alpha1.BlueGreenStatus;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Observation;
import dev.appserver.operator.model.rollout.RolloutPlanner;
import dev.appserver.operator.reconciler.StatusAggregator.Problem;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusInputsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static AppServer withBlueGreen(String active) {
    AppServer cr = TestAppServers.parse("""
        image: example/app:1
        app: app:app
        """);
    var bg = new BlueGreenStatus();
    bg.setPhase("Progressing");
    bg.setActiveColor(active);
    var status = new AppServerStatus();
    status.setBlueGreen(bg);
    cr.setStatus(status);
    return cr;
  }

  @Test
  void aPlannedPassReportsWhatThePlanSays() {
    AppServerModel model = TestAppServers.model("""
        image: example/app:1
        app: app:app
        strategy: {type: BlueGreen}
        """);
    var plan = RolloutPlanner.plan(model, Observation.nothingDeployed(T0));
    var in = StatusInputs.planned(withBlueGreen(null), model, plan, null, T0);
    assertThat(in.model()).contains(model);
    assertThat(in.problem()).isEmpty();
    assertThat(in.blueGreen()).contains(plan.blueGreen());
    assertThat(in.servingSelector()).contains(plan.serviceSelector());
    assertThat(in.serving()).isEmpty();
  }

  @Test
  void anInvalidSpecKeepsTheBlueGreenStateStatusShowedAndHasNoModel() {
    AppServer cr = withBlueGreen("blue");
    var in = StatusInputs.invalidSpec(cr, "spec.port: Invalid value", null, T0);
    assertThat(in.model()).isEmpty();
    assertThat(in.problem()).contains(new Problem(Problem.Kind.InvalidSpec, "spec.port: Invalid value"));
    assertThat(in.blueGreen()).contains(cr.getStatus().getBlueGreen());
    assertThat(in.servingSelector()).isEmpty();
    assertThat(StatusAggregator.aggregate(in).getSelector()).isEqualTo(Names.selectorString(Names.podSelector("web")));
  }

  @Test
  void aRefusedApplyKeepsTheModelAndTheBlueGreenStateStatusShowed() {
    AppServer cr = withBlueGreen("green");
    AppServerModel model = TestAppServers.minimal();
    var in = StatusInputs.applyFailed(cr, Optional.of(model), "applying the child resources failed: forbidden", null, T0);
    assertThat(in.model()).contains(model);
    assertThat(in.problem().map(Problem::kind)).contains(Problem.Kind.ApplyFailed);
    assertThat(in.blueGreen()).contains(cr.getStatus().getBlueGreen());
    assertThat(StatusAggregator.aggregate(in).getPhase()).isEqualTo("Degraded");
  }
}
