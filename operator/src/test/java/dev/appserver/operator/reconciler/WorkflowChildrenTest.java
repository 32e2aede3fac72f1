package dev.appserver.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.model.rollout.Child;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The workflow annotation has to list its dependents statically; Child is the one list of the
 * children render prints and the dependents build. They must agree: same names, same kinds, same
 * order, and other projects' kinds exactly where the workflow asks whether the cluster serves them.
 */
class WorkflowChildrenTest {
  private static final List<Dependent> WORKFLOW =
      List.of(AppServerReconciler.class.getAnnotation(Workflow.class).dependents());

  private record Declared(String name, Class<?> kind, boolean onlyWhereServed) {}

  private static Class<?> resourceType(Class<? extends DependentResource> type) throws ReflectiveOperationException {
    return type.getDeclaredConstructor().newInstance().resourceType();
  }

  @Test
  void theWorkflowAppliesExactlyTheChildrenOfTheList() throws ReflectiveOperationException {
    var workflow = new java.util.ArrayList<Declared>();
    for (Dependent d : WORKFLOW) {
      workflow.add(new Declared(d.name(), resourceType(d.type()), d.activationCondition() == KindServed.class));
    }
    var children = Arrays.stream(Child.values())
        .map(c -> new Declared(c.dependentName(), c.kind(), c.otherProjectsKind()))
        .toList();
    assertThat(workflow).isEqualTo(children);
  }
}
