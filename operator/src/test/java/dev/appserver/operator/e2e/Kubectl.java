package dev.appserver.operator.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl (from PATH, against KUBECONFIG), as users do. */
public final class Kubectl {
  public record Result(int exitCode, String out, String err) {
    public Result ok() {
      if (exitCode != 0) throw new AssertionError("kubectl failed (" + exitCode + "): " + err + out);
      return this;
    }
  }

  private Kubectl() {}

  public static Result run(String... args) {
    return runWithInput(null, args);
  }

  public static Result runWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("KUBECTL", "kubectl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 300 s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new AssertionError("cannot run kubectl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public static Path repoRoot() {
    String root = System.getProperty("appserver.repoRoot");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    while (p != null && !p.resolve("crds").toFile().isDirectory()) p = p.getParent();
    if (p == null) throw new IllegalStateException("cannot find the repository root");
    return p;
  }
}
