package dev.appserver.operator.model.rollout;

import dev.appserver.operator.api.v1alpha1.StrategySpec.StrategyType;
import dev.appserver.operator.model.AppServerModel;
import dev.appserver.operator.model.EventReason;
import dev.appserver.operator.model.Names;
import dev.appserver.operator.model.rollout.Plan.DeploymentTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the plan for the AppServer's strategy. RollingUpdate hands the rollout to the
 * Deployment controller; BlueGreen runs {@link BlueGreenMachine}. Switching strategy either way
 * keeps serving: the Deployments of the old strategy stay (and keep the traffic) until those of
 * the new one are ready.
 */
public final class RolloutPlanner {
  private RolloutPlanner() {}

  public static Plan plan(AppServerModel m, Observation obs) {
    return m.spec().getStrategy().getType() == StrategyType.BlueGreen
        ? BlueGreenMachine.plan(m, obs)
        : rolling(m, obs);
  }

  static Plan rolling(AppServerModel m, Observation obs) {
    int replicas = m.spec().getReplicas();
    List<DeploymentTarget> targets = new ArrayList<>();
    targets.add(new DeploymentTarget(m.name(), null, m, replicas));
    Map<String, String> all = Names.podSelector(m.name());
    if (obs.colors().isEmpty()) {
      String revision = m.revision();
      List<Plan.Note> notes = obs.rolling().filter(r -> r.revision() != null && !revision.equals(r.revision()))
          .map(r -> List.of(new Plan.Note(EventReason.RolloutStarted, "revision " + revision + " replaces " + r.revision()
              + " (rolling update)")))
          .orElse(List.of());
      return new Plan(targets, m.name(), all, null, null, notes, null, Set.of(), null);
    }
    // Handing over from BlueGreen: the colour that serves keeps the traffic until the plain
    // Deployment is ready, then the Service widens to every pod, then the colours go.
    Color active = obs.state() == null ? null : Color.parse(obs.state().getActiveColor());
    if (active == null || !obs.colors().containsKey(active)) active = obs.colors().keySet().iterator().next();
    boolean rollingReady = obs.rolling().map(r -> r.fullyReady(m.revision(), replicas)).orElse(false);
    if (rollingReady && obs.serviceColor() == null) {
      return new Plan(targets, m.name(), all, null, null,
          List.of(new Plan.Note(EventReason.StrategyChanged, "RollingUpdate Deployment " + m.name() + " serves; blue-green Deployments removed")),
          null, Set.of(), null);
    }
    for (var e : obs.colors().entrySet()) {
      targets.add(BlueGreenMachine.keep(m, e.getKey(), e.getValue(), e.getKey() == active ? replicas : 0));
    }
    Map<String, String> selector = rollingReady ? all : withColor(all, active);
    String serving = rollingReady ? m.name() : Names.colorDeployment(m.name(), active.label());
    return new Plan(targets, serving, selector, null, obs.state(), List.of(), null, Set.of(), null);
  }

  static Map<String, String> withColor(Map<String, String> selector, Color color) {
    Map<String, String> s = new LinkedHashMap<>(selector);
    s.put(Names.LABEL_COLOR, color.label());
    return s;
  }
}
