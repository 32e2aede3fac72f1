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

  /**
   * Installs (or updates) the AppServer CRD and waits until it is served. A CRD just created has no
   * conditions for a moment, and kubectl wait fails on that rather than waiting, so it is retried.
   */
  public static void installCrd() {
    run("apply", "--server-side", "--force-conflicts", "-f", repoRoot().resolve("crds/appservers.appserver.dev-v1.yml").toString()).ok();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
        run("wait", "--for=condition=Established", "--timeout=30s", "crd/appservers.appserver.dev").exitCode() == 0);
  }

  /**
   * Installs other projects' CRDs, as their projects ship them (hack/third-party-crds.sh takes them
   * from the projects' Go modules at pinned versions): {@code keda} or {@code prometheus-operator}.
   */
  public static void installThirdPartyCrds(String project) {
    List<String> files;
    try {
      Process p = new ProcessBuilder(repoRoot().resolve("hack/third-party-crds.sh").toString(), project)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = read(p.getInputStream());
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError("hack/third-party-crds.sh " + project + " failed: " + out);
      }
      files = out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    for (String f : files) {
      run("apply", "--server-side", "--force-conflicts", "-f", f).ok();
      String name = run("get", "-f", f, "-o", "name").ok().out().trim();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
          run("wait", "--for=condition=Established", "--timeout=30s", name).exitCode() == 0);
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
