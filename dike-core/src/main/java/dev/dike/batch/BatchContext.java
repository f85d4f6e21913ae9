package dev.dike.batch;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the parts of one {@link Batcher} share: its name and collaborators, the settings in force,
 * the closed flag, the live queue figures, its per-key queues, its dispatcher, its runner, its flush
 * timers and its processing timeouts.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class BatchContext<T, R> {

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
    /** Longest delay handed to a scheduler (about 73 years): clock arithmetic on it cannot overflow. */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE / 4;

    private final String name;
    private final BatchOperation<T, R> operation;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final BatchListener listener;
    /** Both {@code null} when not configured. */
    private final ContextCarrier contextCarrier;
    private final BatchRunContext runContext;
    private final AtomicInteger queuedCalls = new AtomicInteger();
    private final AtomicInteger queuedRows = new AtomicInteger();
    private final KeyQueues<T, R> queues;
    private final BatchDispatcher<T, R> dispatcher;
    private final BatchRunner<T, R> runner;
    private final ProcessingTimeouts<T, R> timeouts;
    private final FlushTimers<T, R> flushTimers;
    private volatile BatchConfig config;
    private volatile boolean closed;

    BatchContext(String name, BatchOperation<T, R> operation, BatchConfig config, DelayScheduler scheduler,
            Executor executor, BatchListener listener, ContextCarrier contextCarrier, BatchRunContext runContext) {
        this.name = name;
        this.operation = operation;
        this.config = config;
        this.scheduler = scheduler;
        this.executor = executor;
        this.listener = new SafeBatchListener(listener);
        this.contextCarrier = contextCarrier;
        this.runContext = runContext;
        this.queues = new KeyQueues<>(this);
        this.dispatcher = new BatchDispatcher<>(this, config.maxConcurrentBatches());
        this.runner = new BatchRunner<>(executor);
        this.timeouts = new ProcessingTimeouts<>(scheduler, config.maxProcessingTime());
        this.flushTimers = new FlushTimers<>(scheduler);
    }

    String name() {
        return name;
    }

    BatchOperation<T, R> operation() {
        return operation;
    }

    DelayScheduler scheduler() {
        return scheduler;
    }

    BatchListener listener() {
        return listener;
    }

    ContextCarrier contextCarrier() {
        return contextCarrier;
    }

    BatchRunContext runContext() {
        return runContext;
    }

    KeyQueues<T, R> queues() {
        return queues;
    }

    BatchDispatcher<T, R> dispatcher() {
        return dispatcher;
    }

    BatchRunner<T, R> runner() {
        return runner;
    }

    ProcessingTimeouts<T, R> timeouts() {
        return timeouts;
    }

    FlushTimers<T, R> flushTimers() {
        return flushTimers;
    }

    BatchConfig config() {
        return config;
    }

    void config(BatchConfig config) {
        this.config = config;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    IllegalStateException closedException() {
        return new IllegalStateException("Batcher " + name + " is closed");
    }

    int queuedCalls() {
        return queuedCalls.get();
    }

    int queuedRows() {
        return queuedRows.get();
    }

    /** Adjusts the live queue figures; {@code calls} and {@code rows} are negative when calls leave. */
    void countQueued(int calls, int rows) {
        queuedCalls.addAndGet(calls);
        queuedRows.addAndGet(rows);
    }

    /**
     * Runs {@code task} on the executor, or here if the executor refuses it: completing callers must
     * happen even when the executor is saturated or shut down.
     */
    void handOff(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException | Error refused) { // also "unable to create native thread"
            LOG.debug("Executor of batcher {} refused a completion; running it on the current thread", name, refused);
            task.run();
        }
    }

    /** @return {@code duration} in nanoseconds, capped so that adding it to a clock value cannot overflow */
    static long delayNanos(Duration duration) {
        if (duration.compareTo(Duration.ofNanos(MAX_DELAY_NANOS)) >= 0) {
            return MAX_DELAY_NANOS;
        }
        return duration.toNanos();
    }
}
