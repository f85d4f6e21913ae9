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

    /** One operation's life; a finish before the start means it was cancelled before it began. */
    final class Run {
        private static final int NEW = 0;
        private static final int RUNNING = 1;
        private static final int OVER = 2;
        private final AtomicInteger state = new AtomicInteger(NEW);

        void start() {
            if (state.compareAndSet(NEW, RUNNING)) {
                started.incrementAndGet();
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            }
        }

        void finish() {
            if (state.getAndSet(OVER) == RUNNING) {
                running.decrementAndGet();
            }
        }
    }
}
