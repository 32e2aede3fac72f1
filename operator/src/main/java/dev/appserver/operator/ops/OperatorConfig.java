package dev.appserver.operator.ops;

import dev.appserver.operator.model.EnvSources;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the operator process runs: from flags of the {@code run} command and environment variables,
 * a flag winning over its variable. Pure (no logging, no cluster access), so {@code Main} can read
 * the log format before the first logger exists.
 *
 * <pre>
 * flag                                 variable                        default
 * --watch-namespaces=a,b               WATCH_NAMESPACES                (empty: all namespaces)
 * --leader-election[=true|false]       LEADER_ELECTION_ENABLED         false
 * --leader-election-lease-name=NAME    LEADER_ELECTION_LEASE_NAME      appserver-operator
 * --leader-election-namespace=NS       LEADER_ELECTION_NAMESPACE       POD_NAMESPACE, the service account's namespace, the kubeconfig's
 * --leader-election-lease-duration=D   LEADER_ELECTION_LEASE_DURATION  15s
 * --leader-election-renew-deadline=D   LEADER_ELECTION_RENEW_DEADLINE  10s
 * --leader-election-retry-period=D     LEADER_ELECTION_RETRY_PERIOD    2s
 * --metrics-port=PORT                  METRICS_PORT                    8080 (0: any free port)
 * --log-format=text|json               LOG_FORMAT                      text
 * --resync-period=D                    RESYNC_PERIOD                   10m
 * --reconcile-threads=N                RECONCILE_THREADS               10
 * --prometheus-url=URL                 PROMETHEUS_URL                  (none)
 * --advisor[=true|false]               ADVISOR_ENABLED                 true (runs only with a PROMETHEUS_URL)
 * --advisor-interval=D                 ADVISOR_INTERVAL                1m
 * --advisor-window=D                   ADVISOR_WINDOW                  5m
 * --advisor-min-requests=N             ADVISOR_MIN_REQUESTS            1000
 * --env-source-kinds=ConfigMap,Secret  ENV_SOURCE_KINDS                ConfigMap,Secret (empty: none)
 * </pre>
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    boolean leaderElection,
    String leaseName,
    Optional<String> leaseNamespace,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    int metricsPort,
    LogFormat logFormat,
    Duration resyncPeriod,
    int reconcileThreads,
    Optional<URI> prometheusUrl,
    AdvisorSettings advisor,
    Set<EnvSources.Kind> envSourceKinds) {

  public enum LogFormat { TEXT, JSON }

  public static final String DEFAULT_LEASE_NAME = "appserver-operator";
  public static final int DEFAULT_METRICS_PORT = 8080;
  /** Every AppServer is reconciled at least this often, so drift is repaired even without an event. */
  public static final Duration DEFAULT_RESYNC_PERIOD = Duration.ofMinutes(10);
  /**
   * Reconciles run at once. A reconcile waits only on API calls (tens of milliseconds), so a few
   * threads keep up with a thousand AppServers; JOSDK's own default is 50.
   */
  public static final int DEFAULT_RECONCILE_THREADS = 10;

  /** One setting: its flag, its environment variable, what it means. The order is the help's. */
  public enum Option {
    WATCH_NAMESPACES("--watch-namespaces", "WATCH_NAMESPACES",
        "comma-separated namespaces to watch; empty watches all namespaces"),
    LEADER_ELECTION("--leader-election", "LEADER_ELECTION_ENABLED",
        "true: only the holder of a coordination.k8s.io Lease reconciles, so several replicas can run"),
    LEASE_NAME("--leader-election-lease-name", "LEADER_ELECTION_LEASE_NAME",
        "name of the Lease (default " + DEFAULT_LEASE_NAME + ")"),
    LEASE_NAMESPACE("--leader-election-namespace", "LEADER_ELECTION_NAMESPACE",
        "namespace of the Lease (default: POD_NAMESPACE, the service account's namespace, the kubeconfig's)"),
    LEASE_DURATION("--leader-election-lease-duration", "LEADER_ELECTION_LEASE_DURATION",
        "how long a Lease holds without renewal (default 15s)"),
    RENEW_DEADLINE("--leader-election-renew-deadline", "LEADER_ELECTION_RENEW_DEADLINE",
        "how long the leader keeps trying to renew before it gives up (default 10s)"),
    RETRY_PERIOD("--leader-election-retry-period", "LEADER_ELECTION_RETRY_PERIOD",
        "how often to try to acquire or renew the Lease (default 2s)"),
    METRICS_PORT("--metrics-port", "METRICS_PORT",
        "port of /metrics, /healthz and /readyz (default " + DEFAULT_METRICS_PORT + "; 0 picks a free port)"),
    LOG_FORMAT("--log-format", "LOG_FORMAT", "text or json (default text)"),
    RESYNC_PERIOD("--resync-period", "RESYNC_PERIOD",
        "reconcile every AppServer at least this often, even without a change (default 10m)"),
    RECONCILE_THREADS("--reconcile-threads", "RECONCILE_THREADS",
        "how many AppServers are reconciled at once (default " + DEFAULT_RECONCILE_THREADS + ")"),
    PROMETHEUS_URL("--prometheus-url", "PROMETHEUS_URL",
        "the Prometheus that scrapes the AppServers' pods (http or https URL); KEDA ScaledObjects query it for busyWorkers,"
            + " and the sizing advisor reads the pods' Gunicorn metrics from it"),
    ADVISOR_ENABLED("--advisor", "ADVISOR_ENABLED",
        "false: no sizing advisor even with PROMETHEUS_URL (default true)"),
    ADVISOR_INTERVAL("--advisor-interval", "ADVISOR_INTERVAL",
        "how often the sizing advisor queries PROMETHEUS_URL, for all AppServers at once (default 1m, at least 1s)"),
    ADVISOR_WINDOW("--advisor-window", "ADVISOR_WINDOW",
        "the range the sizing advisor's rates are taken over, whole seconds (default 5m)"),
    ADVISOR_MIN_REQUESTS("--advisor-min-requests", "ADVISOR_MIN_REQUESTS",
        "requests per pod in the window before the sizing advisor gives new figures (default "
            + AdvisorSettings.DEFAULT_MIN_REQUESTS + ")"),
    ENV_SOURCE_KINDS("--env-source-kinds", "ENV_SOURCE_KINDS",
        "comma-separated kinds (ConfigMap, Secret) whose changes roll the pods that read them through env or envFrom;"
            + " empty: none, and no watch on either (default ConfigMap,Secret)");

    public final String flag;
    public final String env;
    public final String help;

    Option(String flag, String env, String help) {
      this.flag = flag;
      this.env = env;
      this.help = help;
    }
  }

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LEASE = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

  public OperatorConfig {
    watchNamespaces = Collections.unmodifiableSet(new LinkedHashSet<>(watchNamespaces));
    envSourceKinds = envSourceKinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(java.util.EnumSet.copyOf(envSourceKinds));
  }

  /** The defaults: all namespaces, no leader election, metrics on 8080, text logs. */
  public static OperatorConfig defaults() {
    return parse(new String[0], Map.of());
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  public OperatorConfig withWatchNamespaces(Set<String> namespaces) {
    return new OperatorConfig(namespaces, leaderElection, leaseName, leaseNamespace, leaseDuration, renewDeadline,
        retryPeriod, metricsPort, logFormat, resyncPeriod, reconcileThreads, prometheusUrl, advisor, envSourceKinds);
  }

  public OperatorConfig withLeaderElection(boolean enabled, String namespace) {
    return new OperatorConfig(watchNamespaces, enabled, leaseName, Optional.ofNullable(namespace), leaseDuration,
        renewDeadline, retryPeriod, metricsPort, logFormat, resyncPeriod, reconcileThreads, prometheusUrl, advisor, envSourceKinds);
  }

  public OperatorConfig withMetricsPort(int port) {
    return new OperatorConfig(watchNamespaces, leaderElection, leaseName, leaseNamespace, leaseDuration, renewDeadline,
        retryPeriod, port, logFormat, resyncPeriod, reconcileThreads, prometheusUrl, advisor, envSourceKinds);
  }

  public OperatorConfig withPrometheus(URI url, AdvisorSettings settings) {
    return new OperatorConfig(watchNamespaces, leaderElection, leaseName, leaseNamespace, leaseDuration, renewDeadline,
        retryPeriod, metricsPort, logFormat, resyncPeriod, reconcileThreads, Optional.ofNullable(url), settings, envSourceKinds);
  }

  /**
   * Reads the settings of the {@code run} command.
   *
   * @throws IllegalArgumentException naming the flag or variable that is wrong and what it should be
   */
  public static OperatorConfig parse(String[] args, Map<String, String> env) {
    Map<Option, String> values = new java.util.EnumMap<>(Option.class);
    Map<Option, String> source = new java.util.EnumMap<>(Option.class);
    for (Option o : Option.values()) {
      String v = env.get(o.env);
      if (v != null) {
        values.put(o, v.trim());
        source.put(o, o.env);
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      Option option = Arrays.stream(Option.values()).filter(o -> o.flag.equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown flag " + name + " (see run --help)"));
      String value;
      if (arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (option == Option.LEADER_ELECTION || option == Option.ADVISOR_ENABLED) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(option.flag + " needs a value");
      }
      values.put(option, value.trim());
      source.put(option, option.flag);
    }

    Set<String> namespaces = new LinkedHashSet<>();
    for (String ns : values.getOrDefault(Option.WATCH_NAMESPACES, "").split(",")) {
      String n = ns.trim();
      if (n.isEmpty()) continue;
      if (n.length() > 63 || !NAMESPACE.matcher(n).matches()) {
        throw invalid(source, Option.WATCH_NAMESPACES, n, "a namespace name (lowercase letters, digits and '-', at most 63)");
      }
      namespaces.add(n);
    }
    boolean leaderElection = bool(values, source, Option.LEADER_ELECTION, false);
    String leaseName = values.getOrDefault(Option.LEASE_NAME, "");
    if (leaseName.isEmpty()) leaseName = DEFAULT_LEASE_NAME;
    if (leaseName.length() > 253 || !LEASE.matcher(leaseName).matches()) {
      throw invalid(source, Option.LEASE_NAME, leaseName, "a resource name (lowercase letters, digits, '-' and '.')");
    }
    Optional<String> leaseNamespace = Optional.ofNullable(values.get(Option.LEASE_NAMESPACE)).filter(s -> !s.isEmpty());
    if (leaseNamespace.isPresent() && !NAMESPACE.matcher(leaseNamespace.get()).matches()) {
      throw invalid(source, Option.LEASE_NAMESPACE, leaseNamespace.get(), "a namespace name");
    }
    Duration leaseDuration = duration(values, source, Option.LEASE_DURATION, Duration.ofSeconds(15));
    Duration renewDeadline = duration(values, source, Option.RENEW_DEADLINE, Duration.ofSeconds(10));
    Duration retryPeriod = duration(values, source, Option.RETRY_PERIOD, Duration.ofSeconds(2));
    if (leaseDuration.toMillis() % 1000 != 0) {
      throw invalid(source, Option.LEASE_DURATION, values.get(Option.LEASE_DURATION), "whole seconds (a Lease stores seconds)");
    }
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(Option.RENEW_DEADLINE.env + " (" + renewDeadline.toMillis()
          + "ms) must be shorter than " + Option.LEASE_DURATION.env + " (" + leaseDuration.toMillis() + "ms)");
    }
    if (retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException(Option.RETRY_PERIOD.env + " (" + retryPeriod.toMillis()
          + "ms) must be shorter than " + Option.RENEW_DEADLINE.env + " (" + renewDeadline.toMillis() + "ms)");
    }
    int port = DEFAULT_METRICS_PORT;
    String portValue = values.getOrDefault(Option.METRICS_PORT, "");
    if (!portValue.isEmpty()) {
      try {
        port = Integer.parseInt(portValue);
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) throw invalid(source, Option.METRICS_PORT, portValue, "a port number from 0 to 65535");
    }
    String format = values.getOrDefault(Option.LOG_FORMAT, "text").toLowerCase(Locale.ROOT);
    LogFormat logFormat = switch (format) {
      case "", "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw invalid(source, Option.LOG_FORMAT, format, "text or json");
    };
    Duration resyncPeriod = duration(values, source, Option.RESYNC_PERIOD, DEFAULT_RESYNC_PERIOD);
    int reconcileThreads = DEFAULT_RECONCILE_THREADS;
    String threads = values.getOrDefault(Option.RECONCILE_THREADS, "");
    if (!threads.isEmpty()) {
      try {
        reconcileThreads = Integer.parseInt(threads);
      } catch (NumberFormatException e) {
        reconcileThreads = 0;
      }
      if (reconcileThreads < 1 || reconcileThreads > 500) {
        throw invalid(source, Option.RECONCILE_THREADS, threads, "a number of threads from 1 to 500");
      }
    }
    Optional<URI> prometheusUrl = url(values, source, Option.PROMETHEUS_URL);
    return new OperatorConfig(namespaces, leaderElection, leaseName, leaseNamespace, leaseDuration, renewDeadline,
        retryPeriod, port, logFormat, resyncPeriod, reconcileThreads, prometheusUrl, advisor(values, source),
        envSourceKinds(values, source));
  }

  private static AdvisorSettings advisor(Map<Option, String> values, Map<Option, String> source) {
    boolean enabled = bool(values, source, Option.ADVISOR_ENABLED, true);
    Duration interval = duration(values, source, Option.ADVISOR_INTERVAL, AdvisorSettings.DEFAULT_INTERVAL);
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw invalid(source, Option.ADVISOR_INTERVAL, values.get(Option.ADVISOR_INTERVAL), "at least 1s");
    }
    Duration window = duration(values, source, Option.ADVISOR_WINDOW, AdvisorSettings.DEFAULT_WINDOW);
    if (window.toMillis() % 1000 != 0) {
      throw invalid(source, Option.ADVISOR_WINDOW, values.get(Option.ADVISOR_WINDOW), "whole seconds, such as 5m or 90s");
    }
    long minRequests = AdvisorSettings.DEFAULT_MIN_REQUESTS;
    String min = values.getOrDefault(Option.ADVISOR_MIN_REQUESTS, "");
    if (!min.isEmpty()) {
      try {
        minRequests = Long.parseLong(min);
      } catch (NumberFormatException e) {
        minRequests = 0;
      }
      if (minRequests < 1) throw invalid(source, Option.ADVISOR_MIN_REQUESTS, min, "a number of requests of at least 1");
    }
    return new AdvisorSettings(enabled, interval, window, minRequests);
  }

  private static Set<EnvSources.Kind> envSourceKinds(Map<Option, String> values, Map<Option, String> source) {
    if (!values.containsKey(Option.ENV_SOURCE_KINDS)) return java.util.EnumSet.allOf(EnvSources.Kind.class);
    Set<EnvSources.Kind> kinds = java.util.EnumSet.noneOf(EnvSources.Kind.class);
    for (String k : values.get(Option.ENV_SOURCE_KINDS).split(",")) {
      String kind = k.trim();
      if (kind.isEmpty()) continue;
      kinds.add(Arrays.stream(EnvSources.Kind.values()).filter(v -> v.name().equalsIgnoreCase(kind)).findFirst()
          .orElseThrow(() -> invalid(source, Option.ENV_SOURCE_KINDS, kind, "ConfigMap or Secret, comma-separated")));
    }
    return kinds;
  }

  private static Optional<URI> url(Map<Option, String> values, Map<Option, String> source, Option o) {
    String v = values.getOrDefault(o, "");
    if (v.isEmpty()) return Optional.empty();
    try {
      URI uri = new URI(v);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw invalid(source, o, v, "an http or https URL such as http://prometheus.monitoring:9090");
  }

  /** Only the log format, and never an exception: a bad value is reported later by {@link #parse}. */
  public static LogFormat logFormat(String[] args, Map<String, String> env) {
    String value = env.getOrDefault(Option.LOG_FORMAT.env, "text");
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith(Option.LOG_FORMAT.flag + "=")) value = args[i].substring(Option.LOG_FORMAT.flag.length() + 1);
      else if (args[i].equals(Option.LOG_FORMAT.flag) && i + 1 < args.length) value = args[i + 1];
    }
    return "json".equalsIgnoreCase(value.trim()) ? LogFormat.JSON : LogFormat.TEXT;
  }

  /** The options as the help of the run command lists them. */
  public static String help() {
    List<String> lines = new ArrayList<>();
    for (Option o : Option.values()) {
      String flag = o.flag + (o == Option.LEADER_ELECTION || o == Option.ADVISOR_ENABLED ? "[=true|false]" : "=VALUE");
      lines.add(String.format("  %-40s %-32s %s", flag, o.env, o.help));
    }
    return String.join("\n", lines);
  }

  private static boolean bool(Map<Option, String> values, Map<Option, String> source, Option o, boolean dflt) {
    String v = values.get(o);
    if (v == null || v.isEmpty()) return dflt;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(source, o, v, "true or false");
    };
  }

  private static Duration duration(Map<Option, String> values, Map<Option, String> source, Option o, Duration dflt) {
    String v = values.get(o);
    if (v == null || v.isEmpty()) return dflt;
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) throw invalid(source, o, v, "a duration such as 15s, 500ms or 1m");
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) throw invalid(source, o, v, "a duration above zero");
    return d;
  }

  private static IllegalArgumentException invalid(Map<Option, String> source, Option o, String value, String expected) {
    return new IllegalArgumentException(source.getOrDefault(o, o.env) + ": '" + value + "' is not " + expected);
  }
}
