package dev.dike.batch;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor of every {@link Batcher}: a shared pool of daemon threads named
 * {@code dike-batch-N}. Like a cached pool it hands a task to an idle thread or starts a new one, so
 * a blocking operation does not hold up other batches; unlike a cached pool it stops growing at
 * {@link #MAX_THREADS} and queues further tasks, so callers that submit faster than batches run
 * cannot make it start a thread per batch. Idle threads end after a minute.
 */
final class BatchThreads {

    /** Most threads of the shared pool; more blocking batches than this wait for a thread. */
    static final int MAX_THREADS = 256;

    private static final ThreadPoolExecutor SHARED = create("dike-batch-", MAX_THREADS);

    private BatchThreads() {
    }

    static Executor shared() {
        return SHARED;
    }

    /** A grow-then-queue pool; package-private so that tests can check its growth on a small instance. */
    static ThreadPoolExecutor create(String namePrefix, int maxThreads) {
        AtomicInteger counter = new AtomicInteger();
        HandOffQueue queue = new HandOffQueue();
        return new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, queue, task -> {
            Thread thread = new Thread(task, namePrefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (task, pool) -> {
            // Refused by the pool because it is full: queue the task, a busy thread takes it when free.
            if (pool.isShutdown() || pool.getPoolSize() == 0) {
                throw new RejectedExecutionException("Batch executor cannot run " + task);
            }
            queue.enqueue(task);
        });
    }

    /**
     * Accepts a task only if an idle thread takes it at once; otherwise the pool starts a thread, or,
     * when full, refuses the task to the handler above, which queues it.
     */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {

        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
