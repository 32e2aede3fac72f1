package dev.appserver.operator.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The shaded operator jar run as its own process ({@code java -jar appserver-operator.jar run}),
 * as the container runs it: configured by environment variables, logging to a file under
 * operator/target/e2e-logs, stopped with SIGTERM or SIGKILL.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The line the operator logs once its endpoints listen, in either log format. */
  private static final Pattern SERVING = Pattern.compile("Serving /metrics, /healthz and /readyz on port (\\d+)");

  public final String name;
  public final Path log;
  private final Process process;
  private volatile int port = -1;

  private OperatorProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  public static Path jar() {
    Path jar = Kubectl.repoRoot().resolve("operator/target/appserver-operator.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: run make build (make test-e2e builds it)");
    }
    return jar;
  }

  /**
   * Starts the jar with these variables; KUBECONFIG defaults to the test's. Its endpoints listen on
   * a port the operator itself picks (METRICS_PORT=0) and logs, so no port is chosen here and then
   * taken by someone else before the operator binds it.
   */
  public static OperatorProcess start(String name, Map<String, String> env, String... args) {
    return start(name, env, List.of(), args);
  }

  /** {@link #start(String, Map, String...)} with these JVM options before {@code -jar} (as the image's JAVA_OPTS). */
  public static OperatorProcess start(String name, Map<String, String> env, List<String> jvmOptions, String... args) {
    try {
      Path dir = Kubectl.repoRoot().resolve("operator/target/e2e-logs");
      Files.createDirectories(dir);
      Path log = dir.resolve(name + ".log");
      var command = new java.util.ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(jvmOptions);
      command.addAll(List.of("-jar", jar().toString(), "run"));
      command.addAll(List.of(args));
      var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> environment = pb.environment();
      environment.keySet().removeIf(k -> k.startsWith("WATCH_") || k.startsWith("LEADER_ELECTION_") || k.startsWith("LOG_")
          || k.startsWith("ADVISOR_") || k.equals("PROMETHEUS_URL"));
      environment.put("METRICS_PORT", "0");
      environment.putAll(env);
      return new OperatorProcess(name, log, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, String> env(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) env.put(keyValues[i], keyValues[i + 1]);
    return env;
  }

  public record Response(int status, String body) {}

  /** The port of the operator's endpoints, from its log; -1 until it has logged it. */
  public int port() {
    if (port < 0) {
      var m = SERVING.matcher(logs());
      if (m.find()) port = Integer.parseInt(m.group(1));
    }
    return port;
  }

  /** GET on the operator's port; status 0 when nothing answers (or the port is not known yet). */
  public Response get(String path) {
    int port = port();
    if (port < 0) return new Response(0, "the operator has not logged its port yet");
    try {
      var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Response(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(0, e.toString());
    }
  }

  public String metrics() {
    return get("/metrics").body();
  }

  /** The value of one series, e.g. {@code appserver_operator_leader}, or empty when absent. */
  public OptionalDouble metric(String series) {
    var m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics());
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  public boolean isLeader() {
    return metric("appserver_operator_leader").orElse(0) == 1.0;
  }

  public OperatorProcess awaitReady() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .failFast(() -> {
          if (!process.isAlive()) throw new AssertionError("operator " + name + " exited:\n" + logTail());
        })
        .until(() -> get("/readyz").status() == 200);
    return this;
  }

  public String logs() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public String logTail() {
    var lines = logs().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM, as Kubernetes stops a container; returns the exit code. */
  public int terminate(Duration timeout) {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: no shutdown, no Lease release, as a crashed node. */
  public int kill() {
    process.destroyForcibly();
    return awaitExit(Duration.ofSeconds(10));
  }

  public Optional<Integer> exitCode() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  /** Waits for the process to end by itself; returns the exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("operator " + name + " did not exit within " + timeout + ":\n" + logTail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
