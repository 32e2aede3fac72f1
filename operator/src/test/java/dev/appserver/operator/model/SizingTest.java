package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.appserver.operator.api.v1alpha1.WorkerClass;
import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import dev.appserver.operator.api.v1alpha1.WorkloadProfile;
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
    assertThat(s.explanation()).isEqualTo("cpu request 1: floor(2 x 1) + 1 = 3; 3 sync processes = 3 in flight");
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
    assertThat(s.explanation()).isEqualTo("no cpu limit or request, assuming 1 core: floor(2 x 1) + 1 = 3; 3 sync processes = 3 in flight");
    assertThat(Sizing.of(new ResourceRequirements(), workers(null, 8, null)).workers()).isEqualTo(3);
  }

  @Test
  void explanationShowsTheArithmetic() {
    assertThat(Sizing.of(limits("500m", null), workers(null, 8, null)).explanation())
        .isEqualTo("cpu limit 500m: floor(2 x 0.5) + 1 = 2; 2 sync processes = 2 in flight");
    assertThat(Sizing.of(limits("4", null), workers(null, 8, null)).explanation())
        .isEqualTo("cpu limit 4: floor(2 x 4) + 1 = 9, capped at max 8; 8 sync processes = 8 in flight");
  }

  @Test
  void memoryLimitCapsTheCount() {
    var s = Sizing.of(limits("2", "512Mi"), workers(null, 8, "128Mi"));
    assertThat(s.workers()).isEqualTo(4);
    assertThat(s.memoryForcedMinimum()).isFalse();
    assertThat(s.explanation()).isEqualTo("cpu limit 2: floor(2 x 2) + 1 = 5; memory limit 512Mi / 128Mi per worker caps it at 4; 4 sync processes = 4 in flight");
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
    assertThat(s.explanation()).isEqualTo("workers.count: 12; 12 sync processes = 12 in flight");
  }

  @ParameterizedTest(name = "max {0} with 4 cores gives {1}")
  @CsvSource({"1,1", "3,3", "8,8", "9,9", "16,9"})
  void maxIsTheCap(int max, int expected) {
    assertThat(Sizing.of(limits("4", null), workers(null, max, null)).workers()).isEqualTo(expected);
  }

  @Test
  void cpuProfileRunsOneSyncRequestPerProcess() {
    var w = workers(null, 8, null);
    w.setThreads(null); // as the schema leaves it
    var s = Sizing.of(limits("2", null), w);
    assertThat(s.profile()).isEqualTo(WorkloadProfile.CPU);
    assertThat(s.workerClass()).isEqualTo(WorkerClass.SYNC);
    assertThat(s.workers()).isEqualTo(5);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.inFlight()).isEqualTo(5);
    assertThat(s.workerConnections()).isEqualTo(1000);
  }

  @Test
  void threadsAreCarriedThroughWithGthread() {
    var w = workers(null, 8, null);
    w.setWorkerClass(WorkerClass.GTHREAD);
    w.setThreads(4);
    var s = Sizing.of(limits("1", null), w);
    assertThat(s.workerClass()).isEqualTo(WorkerClass.GTHREAD);
    assertThat(s.threads()).isEqualTo(4);
    assertThat(s.inFlight()).isEqualTo(12);
    assertThat(s.explanation()).isEqualTo("cpu limit 1: floor(2 x 1) + 1 = 3; 3 gthread processes x 4 threads (workers.threads) = 12 in flight");
  }

  @Test
  void gthreadWithoutThreadsUnderProfileCpuRunsOneThread() {
    var w = workers(null, 8, null);
    w.setThreads(null);
    w.setWorkerClass(WorkerClass.GTHREAD);
    var s = Sizing.of(limits("500m", null), w);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.inFlight()).isEqualTo(2);
    assertThat(s.explanation()).endsWith("; 2 gthread processes x 1 thread = 2 in flight");
  }

  /** A sync worker with threads above 1 would silently become gthread in Gunicorn: never render it. */
  @Test
  void syncNeverCarriesThreads() {
    var w = workers(null, 8, null);
    w.setThreads(4);
    assertThat(Sizing.of(limits("1", null), w).threads()).isEqualTo(1);
  }

  // ---- profile io ------------------------------------------------------------------------------

  private static WorkersSpec io() {
    var w = new WorkersSpec();
    w.setProfile(WorkloadProfile.IO);
    w.setMax(8);
    return w;
  }

  @Test
  void ioDefaultsToGthreadWithTheDefaultThreadsOnTheCpuProcessCount() {
    var s = Sizing.of(limits("2", null), io());
    assertThat(s.profile()).isEqualTo(WorkloadProfile.IO);
    assertThat(s.workerClass()).isEqualTo(WorkerClass.GTHREAD);
    assertThat(s.workers()).isEqualTo(5);
    assertThat(s.threads()).isEqualTo(Sizing.DEFAULT_IO_THREADS).isEqualTo(64);
    assertThat(s.inFlight()).isEqualTo(320);
    assertThat(s.explanation()).isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gthread processes x 64 threads (the io default) = 320 in flight");
  }

  @ParameterizedTest(name = "cpu {0}: {1} processes x 64 threads")
  @CsvSource({"250m,1", "500m,2", "1,3", "2,5", "3,7", "4,8", "16,8"})
  void ioProcessesFollowTheCpuFormula(String cpu, int processes) {
    var s = Sizing.of(limits(cpu, null), io());
    assertThat(s.workers()).isEqualTo(processes);
    assertThat(s.threads()).isEqualTo(64);
    assertThat(s.inFlight()).isEqualTo(processes * 64);
  }

  @ParameterizedTest(name = "concurrency {0} over {1} cpu: {2} x {3}")
  @CsvSource({
      "80,2,5,16", "100,2,5,20", "101,2,5,21", "160,2,5,32", "1024,2,5,205",
      "100,4,8,13", "1024,250m,1,1024", "5,2,5,1", "3,2,3,1", "1,2,1,1"})
  void ioConcurrencyIsSpreadOverTheProcessesRoundedUp(int concurrency, String cpu, int processes, int threads) {
    var w = io();
    w.setConcurrency(concurrency);
    var s = Sizing.of(limits(cpu, null), w);
    assertThat(s.workers()).isEqualTo(processes);
    assertThat(s.threads()).isEqualTo(threads);
    assertThat(s.inFlight()).isEqualTo(processes * threads)
        .isGreaterThanOrEqualTo(concurrency).isLessThan(concurrency + processes);
    assertThat(s.workerConnections()).isGreaterThanOrEqualTo(2 * threads).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void ioConcurrencyExplainsTheSpread() {
    var w = io();
    w.setConcurrency(100);
    assertThat(Sizing.of(limits("2", null), w).explanation())
        .isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gthread processes x 20 threads (concurrency 100) = 100 in flight");
    w.setConcurrency(101);
    assertThat(Sizing.of(limits("2", null), w).explanation())
        .isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gthread processes x 21 threads (concurrency 101, rounded up) = 105 in flight");
    w.setConcurrency(3);
    assertThat(Sizing.of(limits("2", null), w).explanation())
        .isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; concurrency 3 caps it at 3; 3 gthread processes x 1 thread (concurrency 3) = 3 in flight");
  }

  @Test
  void ioKeepsTheMemoryCapOnProcesses() {
    var w = io();
    w.setMemoryPerWorker(new Quantity("128Mi"));
    w.setConcurrency(100);
    var s = Sizing.of(limits("2", "512Mi"), w);
    assertThat(s.workers()).isEqualTo(4);
    assertThat(s.threads()).isEqualTo(25);
    assertThat(s.explanation()).isEqualTo(
        "io, cpu limit 2: floor(2 x 2) + 1 = 5; memory limit 512Mi / 128Mi per worker caps it at 4; 4 gthread processes x 25 threads (concurrency 100) = 100 in flight");
  }

  @Test
  void ioExplicitCountWinsAndConcurrencyIsSpreadOverIt() {
    var w = io();
    w.setCount(4);
    w.setConcurrency(100);
    var s = Sizing.of(limits("2", null), w);
    assertThat(s.workers()).isEqualTo(4);
    assertThat(s.threads()).isEqualTo(25);
    assertThat(s.explanation()).isEqualTo("io, workers.count: 4; 4 gthread processes x 25 threads (concurrency 100) = 100 in flight");

    w.setConcurrency(2); // an explicit count is never lowered
    assertThat(Sizing.of(limits("2", null), w).workers()).isEqualTo(4);
  }

  @Test
  void ioExplicitThreadsWinOverTheDefault() {
    var w = io();
    w.setThreads(8);
    var s = Sizing.of(limits("2", null), w);
    assertThat(s.workers()).isEqualTo(5);
    assertThat(s.threads()).isEqualTo(8);
    assertThat(s.inFlight()).isEqualTo(40);
    assertThat(s.explanation()).endsWith("; 5 gthread processes x 8 threads (workers.threads) = 40 in flight");

    w.setCount(2);
    assertThat(Sizing.of(limits("2", null), w)).extracting(Sizing::workers, Sizing::threads).containsExactly(2, 8);
  }

  @Test
  void ioHonoursGeventAndSpreadsConcurrencyAsConnections() {
    var w = io();
    w.setWorkerClass(WorkerClass.GEVENT);
    var s = Sizing.of(limits("2", null), w);
    assertThat(s.workerClass()).isEqualTo(WorkerClass.GEVENT);
    assertThat(s.workers()).isEqualTo(5);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.workerConnections()).isEqualTo(1000);
    assertThat(s.inFlight()).isEqualTo(5000);
    assertThat(s.explanation()).isEqualTo("io, cpu limit 2: floor(2 x 2) + 1 = 5; 5 gevent processes x 1000 connections (Gunicorn's default) = 5000 in flight");

    w.setConcurrency(200);
    s = Sizing.of(limits("2", null), w);
    assertThat(s.workerConnections()).isEqualTo(40);
    assertThat(s.inFlight()).isEqualTo(200);
    assertThat(s.explanation()).endsWith("; 5 gevent processes x 40 connections (concurrency 200) = 200 in flight");
  }

  @Test
  void ioHonoursUvicornWhoseLoopIsNotCappedByGunicorn() {
    var w = io();
    w.setWorkerClass(WorkerClass.UVICORN);
    var s = Sizing.of(limits("1", null), w);
    assertThat(s.workerClass()).isEqualTo(WorkerClass.UVICORN);
    assertThat(s.workers()).isEqualTo(3);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.inFlight()).isNull();
    assertThat(s.explanation()).isEqualTo("io, cpu limit 1: floor(2 x 1) + 1 = 3; 3 uvicorn processes, requests in flight not capped by Gunicorn");
  }

  @Test
  void concurrencyIsIgnoredOutsideProfileIo() {
    // Admission refuses it; a spec that bypassed admission still sizes as profile cpu does.
    var w = workers(null, 8, null);
    w.setConcurrency(100);
    var s = Sizing.of(limits("2", null), w);
    assertThat(s.workers()).isEqualTo(5);
    assertThat(s.inFlight()).isEqualTo(5);
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
