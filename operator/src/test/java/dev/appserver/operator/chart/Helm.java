package dev.appserver.operator.chart;

import dev.appserver.operator.e2e.Kubectl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the helm binary the project builds (make tools puts it in .local-cluster/bin, which
 * make test-helm and make test-e2e put first on PATH), or $HELM.
 */
public final class Helm {
  public record Result(int exitCode, String out, String err) {
    public Result ok() {
      if (exitCode != 0) throw new AssertionError("helm failed (" + exitCode + "): " + err + out);
      return this;
    }
  }

  private Helm() {}

  public static Path chart() {
    return Kubectl.repoRoot().resolve("helm/appserver-operator");
  }

  public static Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("HELM", "helm"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      p.getOutputStream().close();
      var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("helm " + String.join(" ", args) + " did not finish in 300 s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new AssertionError("cannot run helm (run make tools, or make test-helm): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** helm template of the chart as release {@code release} in {@code namespace}, with --set values. */
  public static Manifests template(String release, String namespace, String... sets) {
    return Manifests.parse(run(templateArgs(release, namespace, sets)).ok().out());
  }

  public static String[] templateArgs(String release, String namespace, String... sets) {
    List<String> args = new ArrayList<>(List.of("template", release, chart().toString(), "--namespace", namespace));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args.toArray(String[]::new);
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
