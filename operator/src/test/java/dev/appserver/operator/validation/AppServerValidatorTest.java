package dev.appserver.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.admission.Admission;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AppServerValidatorTest {

  @Test
  void rulesLoadedInTheBackgroundValidateAsRulesLoadedAtOnce() throws Exception {
    var loading = new CountDownLatch(1);
    var validator = AppServerValidator.loadingInBackground(() -> {
      loading.countDown();
      return Admission.fromClasspath();
    });
    loading.await();
    var good = TestAppServers.parse("image: x\napp: app:app\n");
    var bad = TestAppServers.parse("image: x\napp: app:app\nport: 70000\n");
    assertThat(validator.validate(good).valid()).isTrue();
    assertThat(validator.validate(bad).message()).isEqualTo(TestAppServers.validator().validate(bad).message()).contains("spec.port");
  }

  @Test
  void rulesThatFailToLoadFailEveryValidation() {
    var validator = AppServerValidator.loadingInBackground(() -> {
      throw new IllegalStateException("no CRD on the classpath");
    });
    var good = TestAppServers.parse("image: x\napp: app:app\n");
    assertThatThrownBy(() -> validator.validate(good)).isInstanceOf(IllegalStateException.class).hasMessage("no CRD on the classpath");
    assertThatThrownBy(() -> validator.validate(good)).isInstanceOf(IllegalStateException.class);
  }
}
