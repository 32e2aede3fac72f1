package dev.appserver.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The images the real node runs are what their Dockerfiles say: user, entrypoint, command,
 * working directory, environment and ports of each image imported by hack/images.sh are compared
 * with the instructions of the Dockerfile users build, so the local build cannot drift from it.
 */
class ImagesE2E {
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void realNode() {
    RealNode.assumeReady();
  }

  /** The final values a Dockerfile sets (one stage; line continuations joined, comments dropped). */
  record Declared(String from, String user, String workdir, Map<String, String> env, List<String> exposed,
      JsonNode entrypoint, JsonNode cmd) {

    static Declared parse(Path dockerfile) throws IOException {
      List<String> instructions = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      for (String line : Files.readAllLines(dockerfile)) {
        String t = line.strip();
        if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) continue;
        boolean more = t.endsWith("\\");
        current.append(more ? t.substring(0, t.length() - 1) : t).append(' ');
        if (!more) {
          instructions.add(current.toString().strip());
          current.setLength(0);
        }
      }
      String from = null, user = null, workdir = null;
      JsonNode entrypoint = null, cmd = null;
      Map<String, String> env = new LinkedHashMap<>();
      List<String> exposed = new ArrayList<>();
      for (String i : instructions) {
        String[] parts = i.split("\\s+", 2);
        String args = parts.length > 1 ? parts[1] : "";
        switch (parts[0].toUpperCase()) {
          case "FROM" -> from = args;
          case "USER" -> user = args;
          case "WORKDIR" -> workdir = args;
          case "EXPOSE" -> exposed.addAll(List.of(args.split("\\s+")));
          case "ENTRYPOINT" -> entrypoint = JSON.readTree(args);
          case "CMD" -> cmd = JSON.readTree(args);
          case "ENV" -> {
            for (String kv : args.split("\\s+")) {
              int eq = kv.indexOf('=');
              if (eq < 1) throw new IllegalArgumentException("ENV without key=value in " + dockerfile + ": " + i);
              env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
          }
          default -> { }
        }
      }
      return new Declared(from, user, workdir, env, exposed, entrypoint, cmd);
    }
  }

  static String ctr(String... args) {
    String sock = Kubectl.repoRoot().resolve(".local-cluster/node/containerd/containerd.sock").toString();
    String dir = System.getenv("LOCAL_CLUSTER_DIR");
    if (dir != null) sock = Path.of(dir).resolve("node/containerd/containerd.sock").toString();
    List<String> command = new ArrayList<>(List.of("ctr", "--address", sock, "-n", "k8s.io"));
    command.addAll(List.of(args));
    return RealNode.run(command.toArray(String[]::new));
  }

  /** The OCI image configuration of an image in the real node's containerd. */
  static JsonNode imageConfig(String ref) throws IOException {
    String manifestDigest = ctr("images", "ls").lines().map(l -> l.split("\\s+"))
        .filter(f -> f[0].equals(ref)).map(f -> f[2]).findFirst()
        .orElseThrow(() -> new AssertionError(ref + " is not in the real node's containerd"));
    JsonNode manifest = JSON.readTree(ctr("content", "get", manifestDigest));
    return JSON.readTree(ctr("content", "get", manifest.at("/config/digest").asText())).get("config");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "examples/app/Dockerfile, docker.io/library/appserver-example:0.1.0",
      "Dockerfile, docker.io/library/appserver-operator:dev"})
  void importedImageIsWhatItsDockerfileDeclares(String dockerfile, String ref) throws IOException {
    Declared declared = Declared.parse(Kubectl.repoRoot().resolve(dockerfile));
    JsonNode config = imageConfig(ref);

    assertThat(declared.from()).as("hack/images.sh builds the base the Dockerfiles start from").isEqualTo("debian:bookworm-slim");
    assertThat(declared.user()).as("%s declares a numeric user", dockerfile).matches("\\d+(:\\d+)?");
    assertThat(config.path("User").asText()).isEqualTo(declared.user());
    assertThat(config.path("WorkingDir").asText()).isEqualTo(declared.workdir());
    List<String> env = new ArrayList<>();
    config.path("Env").forEach(e -> env.add(e.asText()));
    declared.env().forEach((k, v) -> assertThat(env).as("%s: ENV %s", dockerfile, k).contains(k + "=" + v));
    List<String> ports = new ArrayList<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertThat(declared.exposed()).isNotEmpty();
    assertThat(ports).containsExactlyInAnyOrderElementsOf(declared.exposed().stream()
        .map(p -> p.contains("/") ? p : p + "/tcp").toList());
    assertThat(config.path("Entrypoint").isMissingNode() || config.path("Entrypoint").isNull()
        ? null : config.get("Entrypoint")).isEqualTo(declared.entrypoint());
    assertThat(config.get("Cmd")).isEqualTo(declared.cmd());
    assertThat(declared.cmd()).as("%s has a CMD", dockerfile).isNotNull();
  }
}
