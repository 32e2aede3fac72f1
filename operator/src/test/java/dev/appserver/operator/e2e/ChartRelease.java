package dev.appserver.operator.e2e;

import dev.appserver.operator.chart.Helm;
import dev.appserver.operator.chart.Manifests;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The chart installed with helm into a namespace of its own; close() uninstalls it and deletes the namespace. */
public final class ChartRelease implements AutoCloseable {
  public final String release;
  public final String namespace;
  public final String[] sets;

  private ChartRelease(String release, String namespace, String[] sets) {
    this.release = release;
    this.namespace = namespace;
    this.sets = sets;
  }

  public static ChartRelease install(String release, String namespace, String... sets) {
    List<String> args = new ArrayList<>(List.of("install", release, Helm.chart().toString(), "--namespace", namespace,
        "--create-namespace", "--wait", "--timeout", "2m"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    Helm.run(args.toArray(String[]::new)).ok();
    return new ChartRelease(release, namespace, sets);
  }

  /** The release's resource names (the chart's fullname): the ServiceAccount, Lease, ClusterRole. */
  public String fullname() {
    return release.contains("appserver-operator") ? release : release + "-appserver-operator";
  }

  public String serviceAccount() {
    return fullname();
  }

  /** What helm rendered for this release. */
  public Manifests manifests() {
    return Manifests.parse(Helm.run("get", "manifest", release, "--namespace", namespace).ok().out());
  }

  /** A short-lived token of the chart's ServiceAccount, as the kubelet would mount it. */
  public String token() {
    return Kubectl.run("create", "token", serviceAccount(), "-n", namespace, "--duration=1h").ok().out().trim();
  }

  /** Client config acting as the chart's ServiceAccount against the test cluster (nothing of the admin's kept but the CA). */
  public Config serviceAccountConfig() {
    Config admin = Config.autoConfigure(null);
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getMasterUrl())
        .withCaCertData(admin.getCaCertData())
        .withCaCertFile(admin.getCaCertFile())
        .withOauthToken(token())
        .withNamespace(namespace)
        .build();
  }

  public KubernetesClient serviceAccountClient(Interceptor... interceptors) {
    return new KubernetesClientBuilder().withConfig(serviceAccountConfig())
        .withHttpClientBuilderConsumer(b -> {
          for (int i = 0; i < interceptors.length; i++) b.addOrReplaceInterceptor("recorder-" + i, interceptors[i]);
        })
        .build();
  }

  /** A kubeconfig file for processes acting as the chart's ServiceAccount. */
  public Path serviceAccountKubeconfig(Path dir) {
    Config c = serviceAccountConfig();
    String ca = c.getCaCertData() != null ? "certificate-authority-data: " + c.getCaCertData()
        : "certificate-authority: " + c.getCaCertFile();
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster:
            server: %s
            %s
        users:
        - name: sa
          user:
            token: %s
        contexts:
        - name: sa
          context: {cluster: local, user: sa, namespace: %s}
        current-context: sa
        """.formatted(c.getMasterUrl(), ca, c.getOauthToken(), namespace);
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(release + ".kubeconfig");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    Helm.run("uninstall", release, "--namespace", namespace, "--wait", "--timeout", "2m");
    Kubectl.run("delete", "namespace", namespace, "--wait=false");
  }
}
