package dev.appserver.operator.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostNameTest {
  @Test
  void podNameThenHostnameThenTheKernelsNameNeverALookup() throws Exception {
    assertThat(HostName.of(Map.of("POD_NAME", "op-7d9f", "HOSTNAME", "other"))).isEqualTo("op-7d9f");
    assertThat(HostName.of(Map.of("POD_NAME", " ", "HOSTNAME", "box"))).isEqualTo("box");
    String kernel = Files.readString(HostName.KERNEL).strip();
    assertThat(HostName.of(Map.of())).isEqualTo(kernel).isNotBlank();
  }

  @Test
  void theLeaseIdentityStartsWithIt() {
    assertThat(Leadership.identity(Map.of("HOSTNAME", "box"))).matches("box_[0-9a-f]{8}");
  }
}
