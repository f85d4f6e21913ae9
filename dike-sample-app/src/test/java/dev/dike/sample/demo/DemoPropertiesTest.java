package dev.dike.sample.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class DemoPropertiesTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void acceptsTheBounds() {
        assertThatNoException().isThrownBy(() -> new DemoProperties(1, Duration.ZERO, Duration.ZERO, 1, 1, SECOND));
        assertThatNoException().isThrownBy(() ->
                new DemoProperties(20_000, Duration.ofSeconds(60), Duration.ofSeconds(60), 1, 1, SECOND));
    }

    @Test
    void rejectsUnboundedLoadNamingTheProperty() {
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(20_001, SECOND, SECOND, 1, 1, SECOND))
                .withMessage("sample.demo.rate must be between 1 and 20000, got 20001");
        assertThatIllegalArgumentException().isThrownBy(() ->
                        new DemoProperties(1, Duration.ofSeconds(61), SECOND, 1, 1, SECOND))
                .withMessage("sample.demo.duration must be between 0 and 60s, got PT1M1S");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 0, 1, SECOND))
                .withMessageContaining("sample.demo.skus");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 0, SECOND))
                .withMessageContaining("sample.demo.max-in-flight");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, Duration.ZERO))
                .withMessageContaining("sample.demo.request-timeout");
    }
}
