package dev.dike.sample.backend;

/**
 * What the simulated inventory backend has served since the application started.
 *
 * @param calls       bulk calls received, failed ones included
 * @param items       SKUs asked for, over all calls
 * @param failures    calls answered with a simulated HTTP 503
 * @param queuedNanos the time calls waited for a free worker, summed over all calls
 */
public record BackendStats(long calls, long items, long failures, long queuedNanos) {

    /** @return the mean number of SKUs per call, 0 before the first call */
    public double meanItemsPerCall() {
        return calls == 0 ? 0 : (double) items / calls;
    }

    /** @return the mean time a call waited for a free worker, in milliseconds; 0 before the first call */
    public double meanQueueMillis() {
        return calls == 0 ? 0 : queuedNanos / 1e6 / calls;
    }

    /**
     * @param earlier a snapshot taken before this one
     * @return what was served between the two snapshots
     */
    public BackendStats since(BackendStats earlier) {
        return new BackendStats(calls - earlier.calls, items - earlier.items, failures - earlier.failures,
                queuedNanos - earlier.queuedNanos);
    }
}
