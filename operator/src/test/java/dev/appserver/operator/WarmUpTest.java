package dev.appserver.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmUpTest {
  @Test
  void warmUpBuildsAndStopsTheOperatorWithoutSendingARequest() throws Exception {
    assertThat(OperatorMain.warmUp()).isEmpty();
  }
}
