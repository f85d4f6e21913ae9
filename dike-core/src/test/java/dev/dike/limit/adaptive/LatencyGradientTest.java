package dev.dike.limit.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The algorithm alone, fed hand-made windows. The modelled backend serves 40 calls at once in 40 ms
 * (1,000 calls/s): a window of 100 ms at full use has 100 samples.
 */
class LatencyGradientTest {

    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(100);

    private LatencyGradient algorithm = new LatencyGradient(AdaptiveConfig.builder(20).build());
    private long now;

    @AfterEach
    void invariantsHold() {
        AdaptiveInvariants.check(algorithm);
    }

    /** Feeds one window of {@code millis}, whose samples took {@code rttMillis} on average. */
    private int window(long millis, long samples, double rttMillis, long rejected) {
        return window(millis, samples, rttMillis, rejected, 0);
    }

    private int window(long millis, long samples, double rttMillis, long rejected, long dropped) {
        long start = now;
        now += TimeUnit.MILLISECONDS.toNanos(millis);
        int next = algorithm.update(new Sample(start, now, samples, (long) (rttMillis * 1e6), 0, dropped, rejected, 0,
                algorithm.limit()));
        AdaptiveInvariants.check(algorithm);
        return next;
    }

    /** Slow start to 80, then the congestion that ends it: the limit settles at the backend's 40. */
    private void converge() {
        assertThat(window(100, 50, 40, 10)).isEqualTo(40); // 20 in flight at 40 ms, calls rejected: double
        assertThat(window(100, 100, 40, 10)).isEqualTo(80);
        // 80 in flight, 40 served: latency doubles, throughput stays 1,000/s.
        assertThat(window(100, 100, 80, 10)).isEqualTo(40);
    }

    @Test
    void slowStartDoublesUntilTheFirstCongestionThenTheLimitIsTheConcurrencyServedWithoutQueueing() {
        converge();
        assertThat(algorithm.slowStart()).isFalse();
        assertThat(algorithm.baselineNanos()).isEqualTo(40e6);
        // No queue at 40: grows by 5 % per window, no more doubling.
        assertThat(window(100, 100, 40, 10)).isEqualTo(42);
        assertThat(window(100, 100, 41, 10)).isEqualTo(44);
    }

    @Test
    void whenCapacityHalvesTheLimitFollowsWithinTwoWindows() {
        converge();
        // 20 workers left: 40 in flight take 80 ms, 500 calls/s.
        assertThat(window(100, 50, 80, 10)).isEqualTo(20);
        assertThat(window(100, 50, 40, 10)).isEqualTo(21);
    }

    @Test
    void aLongPauseDoesNotCollapseTheLimit() {
        converge();
        // The window the 500 ms pause falls in: few completions, one of them slow.
        int during = window(600, 100, 45, 500);
        // The window after it: the caught calls complete with their 500 ms, the backend at full speed.
        int after = window(100, 140, 180, 10);
        assertThat(during).isGreaterThanOrEqualTo(32);
        assertThat(after).isGreaterThanOrEqualTo(32);
    }

    @Test
    void aLimitThatIsNotBindingIsNeverCutHoweverSlowTheBackendGets() {
        converge();
        int before = algorithm.limit();
        // 5 calls in flight on average (limit 40), latency 5x: a quiet instance, someone else's queue.
        assertThat(window(2000, 50, 200, 0)).isEqualTo(before);
        assertThat(window(2000, 50, 200, 0, 1)).as("even with a timeout").isEqualTo(before);
    }

    @Test
    void aTimeoutCutsTenPercentWhenTheLimitBinds() {
        converge();
        assertThat(window(100, 100, 40, 10, 2)).isEqualTo(36);
        assertThat(window(100, 0, 0, 10, 3)).as("a window of timeouts only").isEqualTo(32);
    }

    @Test
    void noWindowCutsTheLimitBelowHalf() {
        converge();
        assertThat(window(100, 10, 4000, 10)).isEqualTo(20);
    }

    @Test
    void withoutDemandBeyondItTheLimitOnlyKeepsRoomForBurstsAboveTheMeanInFlight() {
        // 25 in flight on average, nobody rejected: room for 25 + 6 * 5 = 55.
        assertThat(window(100, 62, 40, 0)).isEqualTo(55);
        // Less in flight later: the limit is not lowered for it.
        assertThat(window(100, 25, 40, 0)).isEqualTo(55);
    }

    @Test
    void theLimitStaysWithinMinAndMax() {
        algorithm = new LatencyGradient(AdaptiveConfig.builder(20).minLimit(15).maxLimit(30).build());
        assertThat(window(100, 50, 40, 10)).isEqualTo(30);
        assertThat(window(100, 10, 4000, 10)).isEqualTo(15);
    }

    @Test
    void theBaselineForgetsAMinimumOlderThanTwoBaselineWindows() {
        algorithm = new LatencyGradient(AdaptiveConfig.builder(20).baselineWindow(Duration.ofSeconds(1)).build());
        window(100, 50, 40, 0);
        assertThat(algorithm.baselineNanos()).isEqualTo(40e6);
        for (int i = 0; i < 25; i++) {
            window(100, 50, 80, 0); // the backend became slower for good
        }
        assertThat(algorithm.baselineNanos()).isEqualTo(80e6);
    }

    @Test
    void aWindowWithoutSamplesOrTimeoutsChangesNothing() {
        converge();
        assertThat(window(100, 0, 0, 10)).isEqualTo(40);
        assertThat(algorithm.windows()).isEqualTo(4);
    }

    @Test
    void invalidSettingsAreNamedAllAtOnce() {
        assertThatThrownBy(() -> AdaptiveConfig.builder(0).minLimit(0).maxLimit(-1).tolerance(0)
                .window(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minLimit '0' must be at least 1")
                .hasMessageContaining("maxLimit '-1' must be at least 1")
                .hasMessageContaining("initialLimit '0' must be at least 1")
                .hasMessageContaining("window 'PT0S' must be positive")
                .hasMessageContaining("tolerance '0.0' must be greater than 0 and at most 1");
        assertThat(AdaptiveConfig.builder(50).minLimit(10).maxLimit(40).problems())
                .containsExactly("initialLimit '50' must be within minLimit '10' and maxLimit '40'");
        assertThat(AdaptiveConfig.builder(5).minLimit(10).maxLimit(5).problems())
                .containsExactly("maxLimit '5' must be at least minLimit '10'");
    }
}
