package dev.dike.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Thread helpers for the stress tests: named daemon pools and bounded runs of many caller threads. */
final class StressThreads {

    private StressThreads() {
    }

    /** @return a fixed pool of daemon threads named {@code name-N} */
    static ExecutorService pool(String name, int threads) {
        AtomicInteger counter = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code body(threadIndex)} on {@code threads} threads at once; fails if any throws or hangs. */
    static void runAll(String name, int threads, IntConsumer body) throws Exception {
        ExecutorService callers = pool(name, threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                done.add(callers.submit(() -> body.accept(index)));
            }
            for (Future<?> future : done) {
                future.get(4, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
