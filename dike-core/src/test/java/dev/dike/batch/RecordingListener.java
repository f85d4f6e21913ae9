package dev.dike.batch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records every event of a batcher, with the thread it arrived on. */
final class RecordingListener implements BatchListener {

    final List<String> batchEvents = new CopyOnWriteArrayList<>();
    final List<Long> waitNanos = new CopyOnWriteArrayList<>();
    final List<Long> processingNanos = new CopyOnWriteArrayList<>();
    final List<Throwable> batchFailures = new CopyOnWriteArrayList<>();
    final List<String> callThreads = new CopyOnWriteArrayList<>();
    final Map<BatchCallOutcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    /** When set, runs inside {@link #onBatchStarted}, once: lets a test act between that event and the operation. */
    volatile Runnable onNextBatchStarted;

    @Override
    public void onBatchStarted(String name, FlushReason reason, int rows, int calls, long waitNanos) {
        batchEvents.add("started " + name + " " + reason + " rows=" + rows + " calls=" + calls);
        this.waitNanos.add(waitNanos);
        Runnable action = onNextBatchStarted;
        onNextBatchStarted = null;
        if (action != null) {
            action.run();
        }
    }

    @Override
    public void onRowsDeduplicated(String name, int rows) {
        batchEvents.add("deduplicated " + name + " rows=" + rows);
    }

    @Override
    public void onBatchCompleted(String name, int rows, long processingNanos, Throwable failure) {
        batchEvents.add("completed " + name + " rows=" + rows + (failure == null ? "" : " failed"));
        this.processingNanos.add(processingNanos);
        if (failure != null) {
            batchFailures.add(failure);
        }
    }

    @Override
    public void onCallCompleted(String name, BatchCallOutcome outcome) {
        outcomes.computeIfAbsent(outcome, ignored -> new AtomicInteger()).incrementAndGet();
        callThreads.add(Thread.currentThread().getName());
    }

    int count(BatchCallOutcome outcome) {
        AtomicInteger count = outcomes.get(outcome);
        return count == null ? 0 : count.get();
    }

    int totalCalls() {
        return outcomes.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
