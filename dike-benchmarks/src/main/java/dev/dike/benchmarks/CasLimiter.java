package dev.dike.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least a lock-free limiter can do: one compare-and-set to take a permit, one atomic decrement
 * to give it back. No waiting, no counters, no listener: the lower bound for {@link CoreLimiterBenchmark}.
 */
final class CasLimiter {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final int limit;

    CasLimiter(int limit) {
        this.limit = limit;
    }

    boolean tryAcquire() {
        while (true) {
            int current = inFlight.get();
            if (current >= limit) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        inFlight.decrementAndGet();
    }
}
