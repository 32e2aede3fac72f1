package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * How many Gunicorn workers a pod runs, from the container's CPU (never the node's core count).
 *
 * <p>cores = the CPU limit if set, else the CPU request, else 1. workers = workers.count if set;
 * otherwise min(max, floor(2 x cores) + 1), then at most floor(memory limit / memoryPerWorker)
 * when both are set, and never below 1.
 *
 * @param workers worker processes per pod
 * @param threads threads per worker
 * @param explanation one line saying how the count was reached
 * @param memoryForcedMinimum true when the memory cap would have allowed no worker at all
 */
public record Sizing(int workers, int threads, String explanation, boolean memoryForcedMinimum) {

  public static Sizing of(ResourceRequirements resources, WorkersSpec spec) {
    int threads = spec.getThreads() == null ? 1 : spec.getThreads();
    if (spec.getCount() != null) {
      return new Sizing(spec.getCount(), threads, "workers.count: " + spec.getCount(), false);
    }
    Quantity limit = cpu(resources, true);
    Quantity request = cpu(resources, false);
    String source;
    BigDecimal cores;
    if (limit != null) {
      cores = limit.getNumericalAmount();
      source = "cpu limit " + limit;
    } else if (request != null) {
      cores = request.getNumericalAmount();
      source = "cpu request " + request;
    } else {
      cores = BigDecimal.ONE;
      source = "no cpu limit or request, assuming 1 core";
    }
    int fromCpu = cores.multiply(BigDecimal.valueOf(2)).setScale(0, RoundingMode.FLOOR).intValueExact() + 1;
    StringBuilder why = new StringBuilder()
        .append(source).append(": floor(2 x ").append(plain(cores)).append(") + 1 = ").append(fromCpu);
    int workers = fromCpu;
    int max = spec.getMax() == null ? 8 : spec.getMax();
    if (workers > max) {
      workers = max;
      why.append(", capped at max ").append(max);
    }
    boolean forced = false;
    Quantity memoryLimit = memoryLimit(resources);
    Quantity perWorker = spec.getMemoryPerWorker();
    if (memoryLimit != null && perWorker != null && perWorker.getNumericalAmount().signum() > 0) {
      int byMemory = memoryLimit.getNumericalAmount()
          .divide(perWorker.getNumericalAmount(), 0, RoundingMode.FLOOR).intValueExact();
      if (byMemory < workers) {
        if (byMemory < 1) {
          workers = 1;
          forced = true;
          why.append("; memory limit ").append(memoryLimit).append(" is below memoryPerWorker ")
              .append(perWorker).append(", running 1 worker anyway");
        } else {
          workers = byMemory;
          why.append("; memory limit ").append(memoryLimit).append(" / ").append(perWorker)
              .append(" per worker caps it at ").append(byMemory);
        }
      }
    }
    return new Sizing(workers, threads, why.toString(), forced);
  }

  private static Quantity cpu(ResourceRequirements resources, boolean limit) {
    if (resources == null) return null;
    Map<String, Quantity> map = limit ? resources.getLimits() : resources.getRequests();
    return map == null ? null : map.get("cpu");
  }

  private static Quantity memoryLimit(ResourceRequirements resources) {
    if (resources == null || resources.getLimits() == null) return null;
    return resources.getLimits().get("memory");
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
