package dev.dike.sample.backend;

import java.util.Arrays;

/**
 * The backend's capacity: a fixed number of workers, each serving one call at a time, with calls
 * beyond that queued in arrival order. It only computes when a call would finish; the caller then
 * waits without blocking a thread.
 */
final class SimulatedWorkers {

    private long[] freeAtNanos = new long[0];

    /**
     * Books the worker that frees up first for a call.
     *
     * @param workers   the number of workers in force; a change takes effect at once
     * @param nowNanos  the current time, from {@link System#nanoTime()}
     * @param costNanos how long the call keeps a worker busy
     * @return how long, from now, until the call is served: queueing plus cost
     */
    synchronized long reserve(int workers, long nowNanos, long costNanos) {
        if (freeAtNanos.length != workers) {
            freeAtNanos = resized(workers, nowNanos);
        }
        int earliest = 0;
        for (int i = 1; i < freeAtNanos.length; i++) {
            if (freeAtNanos[i] - freeAtNanos[earliest] < 0) {
                earliest = i;
            }
        }
        long start = freeAtNanos[earliest] - nowNanos > 0 ? freeAtNanos[earliest] : nowNanos;
        freeAtNanos[earliest] = start + costNanos;
        return freeAtNanos[earliest] - nowNanos;
    }

    private long[] resized(int workers, long nowNanos) {
        long[] next = new long[workers];
        Arrays.fill(next, nowNanos);
        System.arraycopy(freeAtNanos, 0, next, 0, Math.min(workers, freeAtNanos.length));
        return next;
    }
}
