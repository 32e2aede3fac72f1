package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.appserver.operator.ops.OperatorConfig.LogFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {

  static OperatorConfig parse(Map<String, String> env, String... args) {
    return OperatorConfig.parse(args, env);
  }

  @Test
  void defaultsWatchEverythingWithoutLeaderElection() {
    var c = OperatorConfig.defaults();
    assertThat(c.watchesAllNamespaces()).isTrue();
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.leaseName()).isEqualTo("appserver-operator");
    assertThat(c.leaseNamespace()).isEmpty();
    assertThat(c.metricsPort()).isEqualTo(8080);
    assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.resyncPeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.reconcileThreads()).isEqualTo(10);
    assertThat(c.advisor().enabled()).as("on, though it runs only with a PROMETHEUS_URL").isTrue();
    assertThat(c.advisor().interval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.advisor().window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.advisor().minRequestsPerPod()).isEqualTo(1000);
  }

  @Test
  void environmentVariablesConfigureEverything() {
    var c = parse(Map.of(
        "WATCH_NAMESPACES", " team-a, team-b ,,team-a",
        "LEADER_ELECTION_ENABLED", "TRUE",
        "LEADER_ELECTION_LEASE_NAME", "my.lock",
        "LEADER_ELECTION_NAMESPACE", "ops",
        "LEADER_ELECTION_LEASE_DURATION", "20s",
        "LEADER_ELECTION_RENEW_DEADLINE", "15000ms",
        "LEADER_ELECTION_RETRY_PERIOD", "3",
        "METRICS_PORT", "9090",
        "LOG_FORMAT", "json"));
    assertThat(c.watchNamespaces()).containsExactly("team-a", "team-b");
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseName()).isEqualTo("my.lock");
    assertThat(c.leaseNamespace()).contains("ops");
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.metricsPort()).isEqualTo(9090);
    assertThat(c.logFormat()).isEqualTo(LogFormat.JSON);
  }

  @Test
  void resyncPeriodAndReconcileThreadsComeFromVariablesOrFlags() {
    var c = parse(Map.of("RESYNC_PERIOD", "90s", "RECONCILE_THREADS", "4"));
    assertThat(c.resyncPeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.reconcileThreads()).isEqualTo(4);
    var f = parse(Map.of("RESYNC_PERIOD", "90s"), "--resync-period=1m", "--reconcile-threads", "20");
    assertThat(f.resyncPeriod()).isEqualTo(Duration.ofMinutes(1));
    assertThat(f.reconcileThreads()).isEqualTo(20);
  }

  @Test
  void theSizingAdvisorIsTunedByVariablesOrFlags() {
    var c = parse(Map.of("ADVISOR_INTERVAL", "5s", "ADVISOR_WINDOW", "30s", "ADVISOR_MIN_REQUESTS", "50"));
    assertThat(c.advisor().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.advisor().window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.advisor().minRequestsPerPod()).isEqualTo(50);
    var f = parse(Map.of("ADVISOR_WINDOW", "30s"), "--advisor-window", "10m", "--advisor-interval=2m");
    assertThat(f.advisor().window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(f.advisor().interval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(parse(Map.of("ADVISOR_ENABLED", "false")).advisor().enabled()).isFalse();
    assertThat(parse(Map.of("ADVISOR_ENABLED", "false"), "--advisor").advisor().enabled()).isTrue();
    assertThat(parse(Map.of(), "--advisor=false").advisor().enabled()).isFalse();
  }

  @Test
  void flagsWinOverEnvironmentInBothSpellings() {
    var c = parse(Map.of("WATCH_NAMESPACES", "a", "METRICS_PORT", "1", "LEADER_ELECTION_ENABLED", "false"),
        "--watch-namespaces=b,c", "--metrics-port", "0", "--leader-election", "--log-format=json");
    assertThat(c.watchNamespaces()).containsExactly("b", "c");
    assertThat(c.metricsPort()).isZero();
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(parse(Map.of("LEADER_ELECTION_ENABLED", "true"), "--leader-election=false").leaderElection()).isFalse();
  }

  @Test
  void emptyValuesMeanTheDefault() {
    var c = parse(Map.of("WATCH_NAMESPACES", "", "LEADER_ELECTION_NAMESPACE", "", "METRICS_PORT", "", "LOG_FORMAT", ""));
    assertThat(c.watchesAllNamespaces()).isTrue();
    assertThat(c.leaseNamespace()).isEqualTo(Optional.empty());
    assertThat(c.metricsPort()).isEqualTo(8080);
    assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void prometheusUrlIsOptional() {
    assertThat(parse(Map.of()).prometheusUrl()).isEmpty();
    assertThat(parse(Map.of("PROMETHEUS_URL", "http://prometheus.monitoring:9090")).prometheusUrl())
        .contains(java.net.URI.create("http://prometheus.monitoring:9090"));
    assertThat(parse(Map.of("PROMETHEUS_URL", "http://a:1"), "--prometheus-url=https://b").prometheusUrl())
        .contains(java.net.URI.create("https://b"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', textBlock = """
      METRICS_PORT                   | 70000    | METRICS_PORT: '70000' is not a port number from 0 to 65535
      METRICS_PORT                   | http     | METRICS_PORT: 'http' is not a port number
      LOG_FORMAT                     | xml      | LOG_FORMAT: 'xml' is not text or json
      LEADER_ELECTION_ENABLED        | yes      | LEADER_ELECTION_ENABLED: 'yes' is not true or false
      WATCH_NAMESPACES               | Team_A   | WATCH_NAMESPACES: 'Team_A' is not a namespace name
      LEADER_ELECTION_LEASE_NAME     | My_Lock  | LEADER_ELECTION_LEASE_NAME: 'My_Lock' is not a resource name
      LEADER_ELECTION_NAMESPACE      | -ops     | LEADER_ELECTION_NAMESPACE: '-ops' is not a namespace name
      LEADER_ELECTION_LEASE_DURATION | soon     | LEADER_ELECTION_LEASE_DURATION: 'soon' is not a duration
      LEADER_ELECTION_LEASE_DURATION | 1500ms   | is not whole seconds
      LEADER_ELECTION_RETRY_PERIOD   | 0s       | is not a duration above zero
      LEADER_ELECTION_RENEW_DEADLINE | 15s      | LEADER_ELECTION_RENEW_DEADLINE (15000ms) must be shorter than LEADER_ELECTION_LEASE_DURATION (15000ms)
      LEADER_ELECTION_RETRY_PERIOD   | 10s      | LEADER_ELECTION_RETRY_PERIOD (10000ms) must be shorter than LEADER_ELECTION_RENEW_DEADLINE
      RESYNC_PERIOD                  | hourly   | RESYNC_PERIOD: 'hourly' is not a duration
      RECONCILE_THREADS              | 0        | RECONCILE_THREADS: '0' is not a number of threads from 1 to 500
      RECONCILE_THREADS              | many     | RECONCILE_THREADS: 'many' is not a number of threads
      ADVISOR_ENABLED                | off      | ADVISOR_ENABLED: 'off' is not true or false
      ADVISOR_INTERVAL               | 500ms    | ADVISOR_INTERVAL: '500ms' is not at least 1s
      ADVISOR_INTERVAL               | often    | ADVISOR_INTERVAL: 'often' is not a duration
      ADVISOR_WINDOW                 | 1500ms   | ADVISOR_WINDOW: '1500ms' is not whole seconds
      ADVISOR_MIN_REQUESTS           | 0        | ADVISOR_MIN_REQUESTS: '0' is not a number of requests of at least 1
      ADVISOR_MIN_REQUESTS           | lots     | ADVISOR_MIN_REQUESTS: 'lots' is not a number of requests
      PROMETHEUS_URL                 | prometheus:9090 | PROMETHEUS_URL: 'prometheus:9090' is not an http or https URL
      PROMETHEUS_URL                 | http:///x | PROMETHEUS_URL: 'http:///x' is not an http or https URL
      """)
  void badValuesAreRejectedNamingTheVariable(String variable, String value, String message) {
    assertThatThrownBy(() -> parse(Map.of(variable, value))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void badFlagsAreRejectedNamingTheFlag() {
    assertThatThrownBy(() -> parse(Map.of(), "--metrics-port=-1")).hasMessage("--metrics-port: '-1' is not a port number from 0 to 65535");
    assertThatThrownBy(() -> parse(Map.of(), "--watch-namespace=a")).hasMessageContaining("unknown flag --watch-namespace");
    assertThatThrownBy(() -> parse(Map.of(), "--metrics-port")).hasMessage("--metrics-port needs a value");
  }

  @Test
  void logFormatIsReadWithoutFailing() {
    assertThat(OperatorConfig.logFormat(new String[0], Map.of("LOG_FORMAT", "JSON"))).isEqualTo(LogFormat.JSON);
    assertThat(OperatorConfig.logFormat(new String[] {"--log-format", "json"}, Map.of())).isEqualTo(LogFormat.JSON);
    assertThat(OperatorConfig.logFormat(new String[] {"--log-format=text"}, Map.of("LOG_FORMAT", "json"))).isEqualTo(LogFormat.TEXT);
    assertThat(OperatorConfig.logFormat(new String[0], Map.of("LOG_FORMAT", "bogus"))).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void helpListsEveryFlagAndVariable() {
    for (var o : OperatorConfig.Option.values()) assertThat(OperatorConfig.help()).contains(o.flag, o.env);
  }
}
