package dev.dike.sample.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyRecorderTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        LatencyRecorder recorder = new LatencyRecorder(100);
        for (int millis = 100; millis >= 1; millis--) {
            recorder.record(millis * 1_000_000L);
        }

        assertThat(recorder.percentileMillis(50)).isEqualTo(50.0);
        assertThat(recorder.percentileMillis(99)).isEqualTo(99.0);
        assertThat(recorder.percentileMillis(100)).isEqualTo(100.0);
        assertThat(recorder.percentileMillis(0)).isEqualTo(1.0);
    }

    @Test
    void keepsNoMoreThanItsCapacityAndReportsNothingWhenEmpty() {
        LatencyRecorder recorder = new LatencyRecorder(2);
        assertThat(recorder.percentileMillis(50)).isNaN();

        recorder.record(1_000_000);
        recorder.record(2_000_000);
        recorder.record(900_000_000);

        assertThat(recorder.percentileMillis(100)).isEqualTo(2.0);
    }
}
