package dev.dike.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures how many operations really run at once. Each operation gets a {@link Run}: started when
 * its body begins, finished (once) before its result is signalled or when it is cancelled, so that
 * the probe never counts an operation the limiter already considers finished.
 */
final class ConcurrencyProbe {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();

    Run newRun() {
        return new Run();
    }

    int running() {
        return running.get();
    }

    int maxRunning() {
        return maxRunning.get();
    }

    int started() {
        return started.get();
    }

    /**
     * One operation's life; a finish before the start means it was cancelled before it began. Two
     * threads may finish at once (the operation's own end and its cancellation): the one that loses
     * waits until the winner has taken the run off the count. Otherwise it could return, let the
     * limiter release the permit, and let the next run start while this one was still counted, an
     * excess the limiter did not cause.
     */
    final class Run {
        private static final int NEW = 0;
        private static final int RUNNING = 1;
        private static final int FINISHING = 2;
        private static final int OVER = 3;
        private final AtomicInteger state = new AtomicInteger(NEW);

        void start() {
            if (state.compareAndSet(NEW, RUNNING)) {
                started.incrementAndGet();
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            }
        }

        void finish() {
            while (true) {
                int current = state.get();
                if (current == NEW && state.compareAndSet(NEW, OVER)) {
                    return;
                }
                if (current == RUNNING && state.compareAndSet(RUNNING, FINISHING)) {
                    running.decrementAndGet();
                    state.set(OVER);
                    return;
                }
                if (current == OVER) {
                    return;
                }
                Thread.onSpinWait(); // FINISHING on another thread, or a lost race: look again
            }
        }
    }
}
