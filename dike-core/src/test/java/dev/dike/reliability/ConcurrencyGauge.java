package dev.dike.reliability;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the operations that really run at once, independently of the limiter under test. An
 * operation enters when its body starts and leaves (once) before its result is signalled, or when its
 * cancellation runs, so the gauge never counts an operation that the limiter may already consider
 * finished. Each entry is checked against a {@link Bound} that a correct limiter guarantees.
 */
final class ConcurrencyGauge {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final Bound bound;
    private final Violations violations;

    ConcurrencyGauge(Bound bound, Violations violations) {
        this.bound = bound;
        this.violations = violations;
    }

    /** The bound a correct limiter guarantees while an operation enters. */
    interface Bound {

        /** @return a token read before the operation counts itself */
        long before();

        /**
         * @param token   what {@link #before()} returned
         * @param running the operations running, this one included, counted after the token was read
         * @return a description of the broken bound, or {@code null} if {@code running} is within it
         */
        String check(long token, int running);
    }

    /** @return a bound that never changes */
    static Bound fixed(int limit) {
        return new Bound() {
            @Override
            public long before() {
                return 0;
            }

            @Override
            public String check(long token, int running) {
                return running <= limit ? null : running + " operations running with limit " + limit;
            }
        };
    }

    /** Enters one operation, checking the bound. */
    Run enter() {
        long token = bound.before();
        int now = running.incrementAndGet();
        started.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        String broken = bound.check(token, now);
        if (broken != null) {
            violations.record(broken);
        }
        return new Run();
    }

    int running() {
        return running.get();
    }

    int maxRunning() {
        return maxRunning.get();
    }

    long started() {
        return started.get();
    }

    /**
     * One running operation; {@link #leave()} is idempotent. Two threads may leave at once (the
     * operation's own end and its cancellation): the one that loses waits until the winner has taken
     * the operation off the count. Otherwise it could return, let the limiter release the permit, and
     * let the next operation enter while this one was still counted, a violation the limiter did not
     * commit.
     */
    final class Run {
        private static final int RUNNING = 0;
        private static final int LEAVING = 1;
        private static final int LEFT = 2;
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        void leave() {
            if (state.compareAndSet(RUNNING, LEAVING)) {
                running.decrementAndGet();
                state.set(LEFT);
                return;
            }
            while (state.get() != LEFT) {
                Thread.onSpinWait();
            }
        }
    }
}
