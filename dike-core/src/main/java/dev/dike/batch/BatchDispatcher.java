package dev.dike.batch;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Starts due batches in the order they became due, as slots free.
 *
 * <p>A queue that is due (full, timed out or closing) is listed once in a FIFO ready list. A batch
 * is formed from it only when a slot is free, so a queue waiting for a slot keeps filling instead of
 * leaving many small batches behind. Both sides publish first and check second (the queue is listed
 * before a slot is tried; a slot is freed before the list is read), so a free slot and a listed queue
 * can never miss each other.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class BatchDispatcher<T, R> {

    private final ConcurrentLinkedQueue<KeyQueue<T, R>> ready = new ConcurrentLinkedQueue<>();
    private final BatchContext<T, R> context;
    private final SlotGate slots;

    BatchDispatcher(BatchContext<T, R> context, int maxConcurrentBatches) {
        this.context = context;
        this.slots = new SlotGate(maxConcurrentBatches);
    }

    /** Lists a queue that just became due and starts what the free slots allow. */
    void offer(KeyQueue<T, R> queue) {
        ready.offer(queue);
        drain(null);
    }

    /**
     * Lists a queue that {@code submitted}, a call on the current thread, made due, and starts what the
     * free slots allow. If that forms a batch of {@code submitted} alone whose operation may run on its
     * submitter ({@link BatchOperation#mayRunOnSubmitter}), that batch runs here, after the others were
     * handed to the runner.
     */
    void offer(KeyQueue<T, R> queue, PendingCall<T, R> submitted) {
        ready.offer(queue);
        RunningBatch<T, R> here = drain(submitted);
        if (here != null) {
            here.runOnSubmitter();
        }
    }

    /** Lists a queue again whose rest is still due after a batch was formed from it; a running drain picks it up. */
    void relist(KeyQueue<T, R> queue) {
        ready.offer(queue);
    }

    /** Frees the slot of a batch that ended (or was never run) and starts what may start now. */
    void release() {
        slots.release();
        drain(null);
    }

    int batchesInFlight() {
        return slots.used();
    }

    int listedQueues() {
        return ready.size();
    }

    /** @return the batch of {@code submitted} alone if it may run on this thread, not started yet; else {@code null} */
    private RunningBatch<T, R> drain(PendingCall<T, R> submitted) {
        RunningBatch<T, R> here = null;
        while (!ready.isEmpty() && slots.tryAcquire()) {
            KeyQueue<T, R> queue = ready.poll();
            RunningBatch<T, R> batch = queue == null ? null : queue.take(context.scheduler().nanoTime());
            if (batch == null) {
                // Another thread took the entry, or every caller of the queue cancelled: no batch, no slot.
                slots.release();
            } else if (here == null && submitted != null && batch.mayRunOnSubmitterOf(submitted)) {
                here = batch; // holds its slot; runs once the loop has handed the others on
            } else {
                batch.start();
            }
        }
        return here;
    }
}
