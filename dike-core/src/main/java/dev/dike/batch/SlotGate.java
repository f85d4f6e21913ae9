package dev.dike.batch;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts running batches against {@link BatchConfig#maxConcurrentBatches()}, without locking. */
final class SlotGate {

    private final int capacity;
    private final AtomicInteger used = new AtomicInteger();

    SlotGate(int capacity) {
        this.capacity = capacity;
    }

    /** @return {@code true} if a slot was taken; the caller must {@link #release()} it exactly once */
    boolean tryAcquire() {
        while (true) {
            int current = used.get();
            if (current >= capacity) {
                return false;
            }
            if (used.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        used.decrementAndGet();
    }

    int used() {
        return used.get();
    }
}
