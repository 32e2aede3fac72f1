package dev.appserver.operator.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * This process's host name, as the kernel has it, never looked up: {@code InetAddress.getLocalHost()}
 * resolves the name, and where the name is in no hosts file (a container, an image build) that is
 * a DNS query the operator has no reason to send.
 */
public final class HostName {
  static final Path KERNEL = Path.of("/proc/sys/kernel/hostname");
  public static final String FALLBACK = "appserver-operator";

  private HostName() {}

  /** POD_NAME, else HOSTNAME (Kubernetes sets both in a pod), else the kernel's, else {@value #FALLBACK}. */
  public static String of(Map<String, String> env) {
    return Optional.ofNullable(env.get("POD_NAME")).filter(s -> !s.isBlank())
        .or(() -> Optional.ofNullable(env.get("HOSTNAME")).filter(s -> !s.isBlank()))
        .or(HostName::kernel)
        .orElse(FALLBACK);
  }

  private static Optional<String> kernel() {
    try {
      return Optional.of(Files.readString(KERNEL, StandardCharsets.US_ASCII).strip()).filter(s -> !s.isEmpty());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
