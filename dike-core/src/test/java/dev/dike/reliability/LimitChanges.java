package dev.dike.reliability;

import dev.dike.limit.JobLimiter;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Changes a limiter's limit while calls run, and knows at every moment a bound on the operations
 * running that a correct limiter guarantees.
 *
 * <p>What is provable: raising the limit to {@code n} allows {@code n} at once, so the bound is
 * raised before the limiter's limit. Lowering it cannot stop what already runs, and a thread that
 * read the old limit just before {@code setLimit} may still complete its admission just after it
 * returns (lock-free admission is a read of the limit, then a compare-and-set of the permits). So the
 * bound is lowered to {@code n} only once (1) every call into the limiter that began before the
 * change has returned (a grace period: each call into the limiter, from callers, from the limiter's
 * executor and from resolutions that release permits, is bracketed by {@link #enterCall()} and
 * {@link #exitCall(int)}), and (2) the permits in flight have fallen to {@code n}. From then on a
 * correct limiter admits only below {@code n}, so no more than {@code n} operations may run.
 */
final class LimitChanges implements ConcurrencyGauge.Bound {

    private static final int MAX_CHANGES = 1 << 20;

    /** The bound in force per version; written before the version is published. */
    private final AtomicIntegerArray boundByVersion = new AtomicIntegerArray(MAX_CHANGES);
    private final AtomicInteger version = new AtomicInteger();
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicInteger[] activeCalls = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong lowerings = new AtomicLong();

    LimitChanges(int initialLimit) {
        boundByVersion.set(0, initialLimit);
    }

    /** Marks the start of a call into the limiter; returns the token for {@link #exitCall(int)}. */
    int enterCall() {
        int slot = (int) (epoch.get() & 1);
        activeCalls[slot].incrementAndGet();
        return slot;
    }

    void exitCall(int slot) {
        activeCalls[slot].decrementAndGet();
    }

    /** @return {@code executor} with every task bracketed as a call into the limiter */
    Executor bracketed(Executor executor) {
        return task -> executor.execute(() -> {
            int slot = enterCall();
            try {
                task.run();
            } finally {
                exitCall(slot);
            }
        });
    }

    /**
     * Sets the limit; returns once the bound reflects it, or early (leaving the higher, still valid,
     * bound in force) when {@code stop} says the load is over.
     */
    void change(JobLimiter limiter, int newLimit, BooleanSupplier stop) {
        int current = boundByVersion.get(version.get());
        changes.incrementAndGet();
        if (newLimit >= current) {
            publish(newLimit);
            limiter.setLimit(newLimit);
            return;
        }
        lowerings.incrementAndGet();
        limiter.setLimit(newLimit);
        long oldEpoch = epoch.getAndIncrement();
        AtomicInteger old = activeCalls[(int) (oldEpoch & 1)];
        while (old.get() != 0 || limiter.inFlight() > newLimit) {
            if (stop.getAsBoolean()) {
                return;
            }
            Thread.yield();
        }
        publish(newLimit);
    }

    boolean canChange() {
        return version.get() < MAX_CHANGES - 1;
    }

    long changes() {
        return changes.get();
    }

    long lowerings() {
        return lowerings.get();
    }

    private void publish(int bound) {
        int next = version.get() + 1;
        boundByVersion.set(next, bound);
        version.set(next);
    }

    @Override
    public long before() {
        return version.get();
    }

    @Override
    public String check(long token, int running) {
        // The bound in force when the operation counted itself is one of those published meanwhile.
        int last = version.get();
        int bound = 0;
        for (int v = (int) token; v <= last; v++) {
            bound = Math.max(bound, boundByVersion.get(v));
        }
        return running <= bound ? null
                : running + " operations running while the limit in force allowed " + bound
                        + " (versions " + token + ".." + last + ")";
    }
}
