package dev.dike.sample.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class DemoPropertiesTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final List<String> ALL = List.of("batching", "capacity", "outage");

    @Test
    void acceptsTheBounds() {
        assertThatNoException().isThrownBy(() -> new DemoProperties(1, Duration.ZERO, Duration.ZERO, 1, 1, SECOND,
                List.of(), 1, 2, 1, Duration.ZERO));
        assertThatNoException().isThrownBy(() -> new DemoProperties(20_000, Duration.ofSeconds(60),
                Duration.ofSeconds(60), 1, 1, SECOND, ALL, 20_000, 1_000, 20_000, Duration.ofSeconds(60)));
    }

    @Test
    void rejectsUnboundedLoadNamingTheProperty() {
        assertThatIllegalArgumentException().isThrownBy(() -> withRateDurationSkusInFlightTimeout(
                        20_001, SECOND, 1, 1, SECOND))
                .withMessage("sample.demo.rate must be between 1 and 20000, got 20001");
        assertThatIllegalArgumentException().isThrownBy(() -> withRateDurationSkusInFlightTimeout(
                        1, Duration.ofSeconds(61), 1, 1, SECOND))
                .withMessage("sample.demo.duration must be between 0 and 60s, got PT1M1S");
        assertThatIllegalArgumentException().isThrownBy(() -> withRateDurationSkusInFlightTimeout(1, SECOND, 0, 1, SECOND))
                .withMessageContaining("sample.demo.skus");
        assertThatIllegalArgumentException().isThrownBy(() -> withRateDurationSkusInFlightTimeout(1, SECOND, 1, 0, SECOND))
                .withMessageContaining("sample.demo.max-in-flight");
        assertThatIllegalArgumentException().isThrownBy(() -> withRateDurationSkusInFlightTimeout(
                        1, SECOND, 1, 1, Duration.ZERO))
                .withMessageContaining("sample.demo.request-timeout");
    }

    @Test
    void rejectsBadPhaseSettingsNamingTheProperty() {
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND,
                        List.of("batching", "storm"), 1, 2, 1, SECOND))
                .withMessage("sample.demo.phases must list some of batching, capacity, outage, got [batching, storm]");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND,
                        ALL, 0, 2, 1, SECOND))
                .withMessage("sample.demo.capacity-rate must be between 1 and 20000, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND,
                        ALL, 1, 1, 1, SECOND))
                .withMessage("sample.demo.capacity-workers must be at least 2, got 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND,
                        ALL, 1, 2, 20_001, SECOND))
                .withMessage("sample.demo.outage-rate must be between 1 and 20000, got 20001");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND,
                        ALL, 1, 2, 1, Duration.ofSeconds(-1)))
                .withMessage("sample.demo.outage must be between 0 and 60s, got PT-1S");
    }

    @Test
    void runsOnlyTheListedPhases() {
        DemoProperties capacityOnly = new DemoProperties(1, SECOND, SECOND, 1, 1, SECOND, List.of("capacity"),
                1, 2, 1, SECOND);

        assertThat(capacityOnly.runs("capacity")).isTrue();
        assertThat(capacityOnly.runs("batching")).isFalse();
    }

    private static DemoProperties withRateDurationSkusInFlightTimeout(int rate, Duration duration, int skus,
                                                                      int maxInFlight, Duration requestTimeout) {
        return new DemoProperties(rate, duration, SECOND, skus, maxInFlight, requestTimeout, ALL, 1, 2, 1, SECOND);
    }
}
