package dev.dike.reliability;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects broken rules seen on any thread (inside operations, callbacks, timers) where throwing
 * would only turn the evidence into one more failure; the test asserts that none was recorded.
 */
final class Violations {

    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>();

    void record(String description) {
        count.incrementAndGet();
        first.compareAndSet(null, description);
    }

    long count() {
        return count.get();
    }

    @Override
    public String toString() {
        return count.get() == 0 ? "none" : count.get() + " violations, first: " + first.get();
    }
}
