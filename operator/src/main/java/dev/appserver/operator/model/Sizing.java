package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.WorkerClass;
import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import dev.appserver.operator.api.v1alpha1.WorkloadProfile;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;

/**
 * How a pod runs Gunicorn: worker processes, the worker class, and the requests each process takes
 * at once, decided together from the container's CPU (never the node's core count) and the
 * workload profile, with one line saying how.
 *
 * <p>Processes: workers.count if set; otherwise min(max, floor(2 x cores) + 1), where cores = the
 * CPU limit, else the CPU request, else 1; then at most floor(memory limit / memoryPerWorker)
 * when both are set, and never below 1. With profile io and a concurrency below that, the
 * concurrency (one request per process is the least a process takes).
 *
 * <p>Worker class: workers.workerClass if set, else sync (profile cpu) or gthread (profile io).
 * Per process: a sync worker takes one request; gthread takes workers.threads, else with profile
 * io ceil(concurrency / processes), else {@value #DEFAULT_IO_THREADS}; gevent takes
 * worker_connections, ceil(concurrency / processes) with profile io and a concurrency, else
 * Gunicorn's {@value #GUNICORN_WORKER_CONNECTIONS}; uvicorn's event loop takes what comes.
 *
 * @param profile the workload profile
 * @param workers worker processes per pod
 * @param workerClass the worker class Gunicorn runs
 * @param threads threads per worker (1 unless gthread)
 * @param workerConnections Gunicorn's worker_connections: gevent's requests per process; for
 *     gthread room for at least as many idle keep-alive connections as threads
 * @param inFlight requests in flight per pod, or null when Gunicorn does not cap them (uvicorn)
 * @param explanation one line saying how all this was reached
 * @param memoryForcedMinimum true when the memory cap would have allowed no worker at all
 */
public record Sizing(
    WorkloadProfile profile, int workers, WorkerClass workerClass, int threads, int workerConnections,
    Integer inFlight, String explanation, boolean memoryForcedMinimum) {

  /** Threads per gthread process with profile io and no concurrency: see docs/benchmarks.md. */
  public static final int DEFAULT_IO_THREADS = 64;
  /** Gunicorn's own default for worker_connections. */
  public static final int GUNICORN_WORKER_CONNECTIONS = 1000;

  /** The schema's default profile, read as the API server reads the value it fills in. */
  private static final WorkloadProfile DEFAULT_PROFILE =
      KubernetesJson.MAPPER.convertValue(WorkersSpec.DEFAULT_PROFILE, WorkloadProfile.class);

  public static Sizing of(ResourceRequirements resources, WorkersSpec spec) {
    WorkloadProfile profile = spec.getProfile() == null ? DEFAULT_PROFILE : spec.getProfile();
    boolean io = profile == WorkloadProfile.IO;
    WorkerClass workerClass = spec.getWorkerClass() != null ? spec.getWorkerClass()
        : io ? WorkerClass.GTHREAD : WorkerClass.SYNC;
    Integer concurrency = io ? spec.getConcurrency() : null;

    StringBuilder why = new StringBuilder(io ? "io, " : "");
    int workers;
    boolean forced = false;
    if (spec.getCount() != null) {
      workers = spec.getCount();
      why.append("workers.count: ").append(workers);
    } else {
      Quantity limit = cpu(resources, true);
      Quantity request = cpu(resources, false);
      BigDecimal cores;
      if (limit != null) {
        cores = limit.getNumericalAmount();
        why.append("cpu limit ").append(limit);
      } else if (request != null) {
        cores = request.getNumericalAmount();
        why.append("cpu request ").append(request);
      } else {
        cores = BigDecimal.ONE;
        why.append("no cpu limit or request, assuming 1 core");
      }
      int fromCpu = cores.multiply(BigDecimal.valueOf(2)).setScale(0, RoundingMode.FLOOR).intValueExact() + 1;
      why.append(": floor(2 x ").append(plain(cores)).append(") + 1 = ").append(fromCpu);
      workers = fromCpu;
      int max = spec.getMax() == null ? WorkersSpec.DEFAULT_MAX : spec.getMax();
      if (workers > max) {
        workers = max;
        why.append(", capped at max ").append(max);
      }
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
      if (concurrency != null && concurrency < workers && workerClass != WorkerClass.UVICORN) {
        workers = concurrency;
        why.append("; concurrency ").append(concurrency).append(" caps it at ").append(concurrency);
      }
    }

    int threads = 1;
    int workerConnections = GUNICORN_WORKER_CONNECTIONS;
    Integer inFlight;
    why.append("; ").append(workers).append(' ').append(workerClass.name().toLowerCase(Locale.ROOT))
        .append(workers == 1 ? " process" : " processes");
    switch (workerClass) {
      case SYNC -> inFlight = workers;
      case GTHREAD -> {
        String threadsWhy;
        if (spec.getThreads() != null) {
          threads = spec.getThreads();
          threadsWhy = "workers.threads";
        } else if (concurrency != null) {
          threads = ceilDiv(concurrency, workers);
          threadsWhy = "concurrency " + concurrency + (threads * workers == concurrency ? "" : ", rounded up");
        } else if (io) {
          threads = DEFAULT_IO_THREADS;
          threadsWhy = "the io default";
        } else {
          threadsWhy = null;
        }
        workerConnections = Math.max(GUNICORN_WORKER_CONNECTIONS, 2 * threads);
        inFlight = workers * threads;
        why.append(" x ").append(threads).append(threads == 1 ? " thread" : " threads");
        if (threadsWhy != null) why.append(" (").append(threadsWhy).append(')');
      }
      case GEVENT -> {
        String connectionsWhy = "Gunicorn's default";
        if (concurrency != null) {
          workerConnections = ceilDiv(concurrency, workers);
          connectionsWhy = "concurrency " + concurrency + (workerConnections * workers == concurrency ? "" : ", rounded up");
        }
        inFlight = workers * workerConnections;
        why.append(" x ").append(workerConnections).append(workerConnections == 1 ? " connection" : " connections")
            .append(" (").append(connectionsWhy).append(')');
      }
      default -> inFlight = null;
    }
    if (inFlight == null) {
      why.append(", requests in flight not capped by Gunicorn");
    } else {
      why.append(" = ").append(inFlight).append(" in flight");
    }
    return new Sizing(profile, workers, workerClass, threads, workerConnections, inFlight, why.toString(), forced);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static Quantity cpu(ResourceRequirements resources, boolean limit) {
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
