package dev.dike.sample.backend;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BackendPropertiesTest {

    private final BackendProperties properties = new BackendProperties();

    @Test
    void invalidValuesAreRejectedNamingTheProperty() {
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setFailureRate(1.5))
                .withMessage("sample.backend.failure-rate must be between 0 and 1, got 1.5");
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setFailureRate(Double.NaN))
                .withMessageContaining("sample.backend.failure-rate");
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setWorkers(0))
                .withMessage("sample.backend.workers must be at least 1, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setMaxItems(0))
                .withMessage("sample.backend.max-items must be at least 1, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setLatency(Duration.ofMillis(-1)))
                .withMessage("sample.backend.latency must be a duration of at least 0, got PT-0.001S");
        assertThatIllegalArgumentException().isThrownBy(() -> properties.setLatencyPerItem(null))
                .withMessageContaining("sample.backend.latency-per-item");
    }
}
