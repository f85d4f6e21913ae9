package dev.dike.sample.demo;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps up to a fixed number of latencies, from any thread, and reports their percentiles. */
final class LatencyRecorder {

    private final long[] nanos;
    private final AtomicInteger next = new AtomicInteger();

    /** @param capacity the number of latencies kept; later ones are not */
    LatencyRecorder(int capacity) {
        this.nanos = new long[capacity];
    }

    void record(long latencyNanos) {
        int slot = next.getAndIncrement();
        if (slot < nanos.length) {
            nanos[slot] = latencyNanos;
        }
    }

    /**
     * Call once every {@link #record} has returned.
     *
     * @param percentile between 0 and 100
     * @return the latency at that percentile, nearest-rank, in milliseconds; NaN if none was kept
     */
    double percentileMillis(double percentile) {
        int count = Math.min(next.get(), nanos.length);
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * count);
        return sorted[Math.max(rank, 1) - 1] / 1e6;
    }
}
