package dev.dike.batch;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor of every {@link Batcher}: a shared, growing pool of daemon threads named
 * {@code dike-batch-N}. It never queues, so a blocking operation cannot hold up the completion of
 * other batches; idle threads end after a minute.
 */
final class BatchThreads {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ExecutorService SHARED = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "dike-batch-" + COUNTER.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private BatchThreads() {
    }

    static Executor shared() {
        return SHARED;
    }
}
