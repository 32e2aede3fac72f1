package dev.appserver.operator.model;

import dev.appserver.operator.api.v1alpha1.AdvisorState;
import dev.appserver.operator.api.v1alpha1.AdvisorStatus;
import dev.appserver.operator.api.v1alpha1.AdvisorVerdict;
import dev.appserver.operator.api.v1alpha1.WorkerClass;
import dev.appserver.operator.api.v1alpha1.WorkersSpec;
import dev.appserver.operator.api.v1alpha1.WorkloadProfile;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The sizing advisor's verdict on one AppServer: from what a request really costs (worker CPU and
 * wall time, measured), the requests in flight per pod at which its CPU would be used up, and how
 * the configured concurrency compares.
 *
 * <pre>
 * cores       = CPU limit, else CPU request, else 1 (as for the worker count)
 * saturation  = cores x wall / cpu                      Little's law at full CPU
 * recommended = HEADROOM x saturation, rounded up to two significant digits
 * verdict     = RaiseConcurrency  when concurrency x FACTOR &lt; recommended
 *               LowerConcurrency  when concurrency &gt; FACTOR x recommended
 *               Ok                otherwise; NotCapped when Gunicorn does not cap it (uvicorn)
 * </pre>
 *
 * <p>{@link #HEADROOM} is what the benchmark measured (docs/benchmarks.md): throughput reached its
 * plateau at about twice the requests in flight Little's law gives, on /io (gthread) and /cpu (sync)
 * alike. Pure: the same reading and model always give the same status.
 */
public final class SizingAdvice {
  /** Requests in flight per pod over Little's figure: where the benchmark's sweeps reached their plateau. */
  public static final int HEADROOM = 2;
  /** How far the configured concurrency may be from the recommendation, either way, before the advice says so. */
  public static final int FACTOR = 2;
  /** No recommendation beyond this, whatever the figures (a request of almost no CPU). */
  static final int MAX_RECOMMENDATION = 1_000_000;

  private static final MathContext TWO_DIGITS_UP = new MathContext(2, RoundingMode.CEILING);

  private SizingAdvice() {}

  /** The status the reading and the AppServer's current sizing give. */
  public static AdvisorStatus advise(LoadReading reading, AppServerModel model) {
    var status = new AdvisorStatus();
    status.setState(reading.state());
    status.setMeasuredAt(reading.measuredAt());
    status.setWindow(reading.window());
    status.setRequestsPerSecond(reading.requestsPerSecond());
    status.setCpuSecondsPerRequest(reading.cpuSecondsPerRequest());
    status.setWallSecondsPerRequest(reading.wallSecondsPerRequest());
    status.setBusyPercent(reading.busyPercent());
    Sizing sizing = model.sizing();
    Integer concurrency = sizing.inFlight();
    status.setConcurrency(concurrency);

    Quantity limit = Sizing.cpu(model.spec().getResources(), true);
    Quantity request = Sizing.cpu(model.spec().getResources(), false);
    BigDecimal cores = limit != null ? limit.getNumericalAmount()
        : request != null ? request.getNumericalAmount() : BigDecimal.ONE;
    String coresText = limit != null ? "the CPU limit " + limit
        : request != null ? "the CPU request " + request : "1 core (no CPU limit or request)";
    status.setCores(cores.doubleValue());

    if (!reading.hasFigures()) {
      status.setSummary(stateSummary(reading.state()));
      status.setMessage(reading.note() != null ? reading.note() + "; no figures to advise from yet" : "no figures yet");
      return status;
    }

    double cpu = reading.cpuSecondsPerRequest();
    double wall = reading.wallSecondsPerRequest();
    // In decimal: the figures are two-digit decimals, and 0.05 / 0.001 must be 50, not 50.000000000000007.
    BigDecimal saturation = cores.multiply(BigDecimal.valueOf(wall)).divide(BigDecimal.valueOf(cpu), MathContext.DECIMAL64);
    int recommended = roundUp(saturation.multiply(BigDecimal.valueOf(HEADROOM)));
    status.setRecommendedConcurrency(recommended);
    AdvisorVerdict verdict = concurrency == null ? AdvisorVerdict.NOT_CAPPED
        : (long) concurrency * FACTOR < recommended ? AdvisorVerdict.RAISE_CONCURRENCY
        : concurrency > (long) FACTOR * recommended ? AdvisorVerdict.LOWER_CONCURRENCY
        : AdvisorVerdict.OK;
    status.setVerdict(verdict);
    status.setSummary(reading.state() == AdvisorState.MEASURED ? verdictSummary(verdict, recommended)
        : stateSummary(reading.state()));

    StringBuilder m = new StringBuilder();
    if (reading.note() != null) m.append(reading.note()).append("; as last measured (").append(reading.measuredAt()).append("): ");
    m.append(plain(reading.requestsPerSecond())).append(" requests/s over ").append(reading.window())
        .append(", each ").append(plain(cpu * 1000)).append(" ms of worker CPU and ").append(plain(wall * 1000))
        .append(" ms wall");
    if (reading.busyPercent() != null) m.append(", ").append(reading.busyPercent()).append("% busy");
    m.append(". ").append(capitalised(coresText)).append(" is used up at ").append(plain(cores.doubleValue()))
        .append(" x ").append(plain(wall * 1000)).append(" / ").append(plain(cpu * 1000)).append(" = ")
        .append(saturation.setScale(0, RoundingMode.HALF_UP).toPlainString()).append(" requests in flight per pod; recommended ").append(recommended)
        .append(" (").append(HEADROOM).append(" x that, rounded up). ");
    m.append(concurrency == null ? "Gunicorn does not cap the requests in flight of " + processes(sizing)
        : "The pods serve " + concurrency + " at once (" + processes(sizing) + ")");
    m.append(": ").append(action(verdict, recommended, model)).append('.');
    status.setMessage(m.toString());
    return status;
  }

  private static String verdictSummary(AdvisorVerdict verdict, int recommended) {
    return switch (verdict) {
      case OK -> "ok";
      case RAISE_CONCURRENCY -> "raise concurrency to " + recommended;
      case LOWER_CONCURRENCY -> "lower concurrency to " + recommended;
      case NOT_CAPPED -> "not capped";
    };
  }

  private static String stateSummary(AdvisorState state) {
    return switch (state) {
      case MEASURED -> "no figures";
      case NOT_ENOUGH_TRAFFIC -> "low traffic";
      case NO_METRICS -> "no metrics";
      case UNAVAILABLE -> "unavailable";
    };
  }

  /** What to change, in the spec's own terms. */
  private static String action(AdvisorVerdict verdict, int recommended, AppServerModel model) {
    Sizing sizing = model.sizing();
    WorkersSpec workers = model.spec().getWorkers();
    boolean io = sizing.profile() == WorkloadProfile.IO;
    int perProcess = (recommended + sizing.workers() - 1) / sizing.workers();
    String beyond = recommended > WorkersSpec.MAX_CONCURRENCY
        ? " (more than spec.workers.concurrency allows, " + WorkersSpec.MAX_CONCURRENCY
            + ": set that and add pods, or use workerClass uvicorn)"
        : "";
    return switch (verdict) {
      case OK -> "that fits, within a factor of " + FACTOR;
      case NOT_CAPPED -> "keep the application to about " + recommended + " requests at once per pod";
      case RAISE_CONCURRENCY, LOWER_CONCURRENCY -> {
        String verb = verdict == AdvisorVerdict.RAISE_CONCURRENCY ? "raise " : "lower ";
        if (sizing.workerClass() == WorkerClass.SYNC) {
          yield verdict == AdvisorVerdict.RAISE_CONCURRENCY
              ? "raise it to " + recommended + ": spec.workers {profile: io, concurrency: " + Math.min(recommended, WorkersSpec.MAX_CONCURRENCY)
                  + "} for a thread-safe application, else more sync workers with spec.workers.count" + beyond
              : "lower spec.workers.count to " + recommended;
        }
        if (sizing.workerClass() == WorkerClass.GTHREAD && (!io || workers.getThreads() != null)) {
          yield verb + "spec.workers.threads to " + perProcess + " (" + sizing.workers() + " processes x " + perProcess + ")";
        }
        yield verb + "spec.workers.concurrency to " + recommended + beyond;
      }
    };
  }

  private static String processes(Sizing sizing) {
    String cls = sizing.workerClass().name().toLowerCase(Locale.ROOT);
    String p = sizing.workers() + " " + cls + (sizing.workers() == 1 ? " process" : " processes");
    return switch (sizing.workerClass()) {
      case GTHREAD -> p + " x " + sizing.threads() + (sizing.threads() == 1 ? " thread" : " threads");
      case GEVENT -> p + " x " + sizing.workerConnections() + " connections";
      default -> p;
    };
  }

  /** Rounded up to a whole number, then to two significant digits: 387.2 is 390, 3.5 is 4; 1 to {@link #MAX_RECOMMENDATION}. */
  static int roundUp(BigDecimal v) {
    BigDecimal whole = v.setScale(0, RoundingMode.CEILING);
    if (whole.compareTo(BigDecimal.ONE) < 0) return 1;
    if (whole.compareTo(BigDecimal.valueOf(MAX_RECOMMENDATION)) > 0) return MAX_RECOMMENDATION;
    return whole.round(TWO_DIGITS_UP).intValueExact();
  }

  private static String plain(double v) {
    return new BigDecimal(v).round(new MathContext(2, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString();
  }

  private static String capitalised(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
