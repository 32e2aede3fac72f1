package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizingTest {

  private static WorkersSpec workers(Integer count, int max, String memoryPerWorker) {
    var w = new WorkersSpec();
    w.setCount(count);
    w.setMax(max);
    w.setThreads(1);
    if (memoryPerWorker != null) w.setMemoryPerWorker(new Quantity(memoryPerWorker));
    return w;
  }

  private static ResourceRequirements limits(String cpu, String memory) {
    var b = new ResourceRequirementsBuilder();
    if (cpu != null) b.addToLimits("cpu", new Quantity(cpu));
    if (memory != null) b.addToLimits("memory", new Quantity(memory));
    return b.build();
  }

  @ParameterizedTest(name = "cpu limit {0} gives {1} workers")
  @CsvSource({"500m,2", "250m,1", "1,3", "1500m,4", "2,5", "4,8", "3,7", "3500m,8", "100m,1", "999m,2", "1001m,3", "64,8", "0.5,2", "1.5,4"})
  void workersComeFromTheCpuLimitCappedAtMax(String cpu, int expected) {
    assertThat(Sizing.of(limits(cpu, null), workers(null, 8, null)).workers()).isEqualTo(expected);
  }

  @Test
  void cpuRequestIsUsedWhenThereIsNoLimit() {
    var r = new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("1")).build();
    var s = Sizing.of(r, workers(null, 8, null));
    assertThat(s.workers()).isEqualTo(3);
    assertThat(s.explanation()).isEqualTo("cpu request 1: floor(2 x 1) + 1 = 3");
  }

  @Test
  void limitWinsOverRequest() {
    var r = new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("250m")).addToLimits("cpu", new Quantity("2")).build();
    assertThat(Sizing.of(r, workers(null, 8, null)).workers()).isEqualTo(5);
  }

  @Test
  void noCpuAtAllAssumesOneCore() {
    var s = Sizing.of(null, workers(null, 8, null));
    assertThat(s.workers()).isEqualTo(3);
    assertThat(s.explanation()).isEqualTo("no cpu limit or request, assuming 1 core: floor(2 x 1) + 1 = 3");
    assertThat(Sizing.of(new ResourceRequirements(), workers(null, 8, null)).workers()).isEqualTo(3);
  }

  @Test
  void explanationShowsTheArithmetic() {
    assertThat(Sizing.of(limits("500m", null), workers(null, 8, null)).explanation())
        .isEqualTo("cpu limit 500m: floor(2 x 0.5) + 1 = 2");
    assertThat(Sizing.of(limits("4", null), workers(null, 8, null)).explanation())
        .isEqualTo("cpu limit 4: floor(2 x 4) + 1 = 9, capped at max 8");
  }

  @Test
  void memoryLimitCapsTheCount() {
    var s = Sizing.of(limits("2", "512Mi"), workers(null, 8, "128Mi"));
    assertThat(s.workers()).isEqualTo(4);
    assertThat(s.memoryForcedMinimum()).isFalse();
    assertThat(s.explanation()).isEqualTo("cpu limit 2: floor(2 x 2) + 1 = 5; memory limit 512Mi / 128Mi per worker caps it at 4");
  }

  @Test
  void memoryCapAboveCpuCountChangesNothing() {
    var s = Sizing.of(limits("1", "2Gi"), workers(null, 8, "128Mi"));
    assertThat(s.workers()).isEqualTo(3);
    assertThat(s.explanation()).doesNotContain("memory");
  }

  @Test
  void memoryPerWorkerWithoutMemoryLimitIsIgnored() {
    assertThat(Sizing.of(limits("2", null), workers(null, 8, "128Mi")).workers()).isEqualTo(5);
  }

  @Test
  void neverBelowOneWorkerAndSaysSo() {
    var s = Sizing.of(limits("2", "100Mi"), workers(null, 8, "128Mi"));
    assertThat(s.workers()).isEqualTo(1);
    assertThat(s.memoryForcedMinimum()).isTrue();
    assertThat(s.explanation()).contains("memory limit 100Mi is below memoryPerWorker 128Mi, running 1 worker anyway");
  }

  @Test
  void memoryUnitsAreComparedByValue() {
    assertThat(Sizing.of(limits("4", "1G"), workers(null, 8, "250M")).workers()).isEqualTo(4);
    assertThat(Sizing.of(limits("4", "1Gi"), workers(null, 8, "256Mi")).workers()).isEqualTo(4);
    assertThat(Sizing.of(limits("4", "1Gi"), workers(null, 8, "300Mi")).workers()).isEqualTo(3);
  }

  @Test
  void explicitCountOverridesEverything() {
    var s = Sizing.of(limits("250m", "64Mi"), workers(12, 8, "128Mi"));
    assertThat(s.workers()).isEqualTo(12);
    assertThat(s.explanation()).isEqualTo("workers.count: 12");
  }

  @ParameterizedTest(name = "max {0} with 4 cores gives {1}")
  @CsvSource({"1,1", "3,3", "8,8", "9,9", "16,9"})
  void maxIsTheCap(int max, int expected) {
    assertThat(Sizing.of(limits("4", null), workers(null, max, null)).workers()).isEqualTo(expected);
  }

  @Test
  void threadsAreCarriedThrough() {
    var w = workers(null, 8, null);
    w.setThreads(4);
    assertThat(Sizing.of(limits("1", null), w).threads()).isEqualTo(4);
  }

  /** Exhaustive over CPU from 1m to 8 cores: the formula, the cap, and monotonicity. */
  @Test
  void formulaHoldsForEveryMillicoreUpToEightCores() {
    int previous = 0;
    for (int milli = 1; milli <= 8000; milli++) {
      int w = Sizing.of(limits(milli + "m", null), workers(null, 8, null)).workers();
      assertThat(w).isEqualTo(Math.min(8, (2 * milli) / 1000 + 1));
      assertThat(w).isGreaterThanOrEqualTo(previous);
      previous = w;
    }
  }
}
