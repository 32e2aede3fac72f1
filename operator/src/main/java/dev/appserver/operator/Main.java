package dev.appserver.operator;

import dev.appserver.operator.ops.OperatorConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Entry point: {@code run} (the default) runs the operator; {@code render -f FILE} previews child
 * resources; {@code probe URL} checks an endpoint; {@code warm-up} loads the classes a start loads
 * (the image records them in its class data sharing archive).
 */
public final class Main {
  static final String LOG4J_CONFIGURATION = "log4j2.configurationFile";

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "run" -> run(rest);
      case "render" -> System.exit(render(rest));
      case "probe" -> System.exit(probe(rest));
      case "warm-up" -> System.exit(warmUp(rest));
      case "-h", "--help", "help" -> usage(0);
      default -> {
        System.err.println("unknown command: " + command);
        usage(2);
      }
    }
  }

  private static void run(String[] args) {
    if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
      System.out.println("usage: java -jar appserver-operator.jar run [flags]\n\n"
          + "Flags override environment variables; LOG_LEVEL (info, debug, ...) is read from the environment only.\n"
          + OperatorConfig.help());
      System.exit(0);
    }
    // The log format is chosen before anything creates a logger: log4j reads this property once.
    if (OperatorConfig.logFormat(args, System.getenv()) == OperatorConfig.LogFormat.JSON
        && System.getProperty(LOG4J_CONFIGURATION) == null) {
      System.setProperty(LOG4J_CONFIGURATION, "classpath:log4j2-json.xml");
    }
    OperatorConfig config;
    try {
      config = OperatorConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("run: " + e.getMessage());
      System.exit(2);
      return;
    }
    OperatorMain.run(config);
  }

  /**
   * Builds the operator as {@code run} does (client, controller, endpoints, JSON logs), validates
   * and renders an AppServer, and stops, all without a cluster: the classes a start loads are then
   * loaded, for {@code -XX:ArchiveClassesAtExit}. Sends nothing anywhere.
   */
  static int warmUp(String[] args) throws Exception {
    if (args.length != 0) {
      System.err.println("usage: warm-up");
      return 2;
    }
    if (System.getProperty(LOG4J_CONFIGURATION) == null) System.setProperty(LOG4J_CONFIGURATION, "classpath:log4j2-json.xml");
    OperatorMain.warmUp();
    String sample = String.join("\n", "apiVersion: appserver.dev/v1alpha1", "kind: AppServer", "metadata: {name: warm-up}",
        "spec: {image: warm-up, app: \"app:app\"}", "");
    var out = new java.io.PrintStream(java.io.OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    return Render.withBuiltInRules().render(new java.io.StringReader(sample), "warm-up", out, System.err);
  }

  /** GETs a URL and exits 0 on a 2xx answer: the chart's helm test runs it against /readyz. */
  static int probe(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: probe URL");
      return 2;
    }
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      System.out.println(args[0] + ": " + response.statusCode() + " " + response.body().strip());
      return response.statusCode() / 100 == 2 ? 0 : 1;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println(args[0] + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  static int render(String[] args) throws IOException {
    String file = null;
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("-f") || args[i].equals("--filename")) && i + 1 < args.length) file = args[++i];
      else if (args[i].startsWith("--filename=")) file = args[i].substring("--filename=".length());
      else {
        System.err.println("render: unexpected argument " + args[i]);
        return 2;
      }
    }
    if (file == null) {
      System.err.println("usage: render -f FILE   (FILE may be - for standard input)");
      return 2;
    }
    try (Reader in = file.equals("-")
        ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      return Render.withBuiltInRules().render(in, file, System.out, System.err);
    } catch (NoSuchFileException | FileNotFoundException e) {
      System.err.println("render: no such file: " + file);
      return 2;
    }
  }

  private static void usage(int code) {
    System.err.println("""
        usage: java -jar appserver-operator.jar [command]
          run [flags]         run the operator against the current kubeconfig (default); run --help lists the flags
          render -f FILE      print the resources the operator would create for the AppServers in FILE
          probe URL           GET the URL, exit 0 on a 2xx answer (the chart's helm test)
          warm-up             load what run loads, with no cluster, and exit (to build a class data sharing archive)
        """);
    System.exit(code);
  }
}
