package dev.dike.batch;

import dev.dike.time.DelayScheduler;
import dev.dike.time.DelayScheduler.ScheduledTask;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The flush timers ({@code maxWaitingTime}) of the key queues of one {@link Batcher}, kept with a
 * single scheduler task.
 *
 * <p>A queue that waits for its timer is listed here by deadline; one task is scheduled for the
 * earliest deadline, and when it fires it flushes what has expired and is scheduled again for the
 * next deadline. A size flush only unlinks its queue. Scheduling and cancelling a task per batch on
 * the scheduler instead took its lock twice per batch, under the queue's lock, and woke its thread
 * whenever the new task was the earliest: with many small batches that cost tens of microseconds per
 * batch. Deadlines mostly arrive in order (the waiting time only changes at runtime), so listing
 * mostly appends at the end; an earlier deadline (a queue re-listed for its oldest waiting call)
 * walks back from the end.
 *
 * <p>The task is not cancelled when the last queue leaves the list: it fires once, finds nothing and
 * stays off until a queue is listed again, so an idle batcher holds at most one pending flush task,
 * for at most {@code maxWaitingTime}.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class FlushTimers<T, R> {

    private final DelayScheduler scheduler;
    /** Listed queues by deadline; guarded by this. */
    private final DeadlineList<KeyQueue<T, R>> queues = new DeadlineList<>();
    /** The pending task, its deadline and identity; guarded by this. */
    private ScheduledTask task;
    private long taskDeadline;
    private long taskGeneration;

    FlushTimers(DelayScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Lists a queue until {@code deadline}; then its {@link KeyQueue#onTimer} runs with
     * {@code generation}.
     *
     * @throws RuntimeException if the scheduler refused the task the deadline needed; nothing is listed
     */
    synchronized void arm(KeyQueue<T, R> queue, long generation, long deadline) {
        if (task == null || deadline - taskDeadline < 0) {
            schedule(deadline);
        }
        queue.flushGeneration = generation;
        queues.add(queue, deadline);
    }

    /** Unlists a queue that was flushed otherwise; does nothing if it is not listed. */
    synchronized void disarm(KeyQueue<T, R> queue) {
        queues.remove(queue);
    }

    /** @return whether a task is pending (for tests: the one task an idle batcher may hold) */
    synchronized boolean armed() {
        return task != null;
    }

    /** @return the number of listed queues (for tests) */
    synchronized int listed() {
        return queues.size();
    }

    private void schedule(long deadline) {
        long generation = taskGeneration + 1;
        ScheduledTask scheduled = scheduler.schedule(() -> fire(generation), deadline - scheduler.nanoTime(),
                TimeUnit.NANOSECONDS);
        if (task != null) {
            task.cancel(); // superseded by an earlier deadline (the waiting time was lowered)
        }
        task = scheduled;
        taskDeadline = deadline;
        taskGeneration = generation;
    }

    /** Runs on the timer thread: flushes every expired queue and schedules the task for the next deadline. */
    private void fire(long generation) {
        List<KeyQueue<T, R>> expired = new ArrayList<>();
        List<Long> generations = new ArrayList<>();
        synchronized (this) {
            if (generation == taskGeneration) {
                task = null;
            }
            long now = scheduler.nanoTime();
            KeyQueue<T, R> queue;
            while ((queue = queues.pollExpired(now)) != null) {
                expired.add(queue);
                generations.add(queue.flushGeneration);
            }
            if (queues.earliest() != null && task == null) {
                try {
                    schedule(queues.earliest().deadlineNanos());
                } catch (RuntimeException refused) {
                    // Nothing could flush the rest by time any more: they flush now rather than never.
                    while ((queue = queues.poll()) != null) {
                        expired.add(queue);
                        generations.add(queue.flushGeneration);
                    }
                }
            }
        }
        for (int index = 0; index < expired.size(); index++) {
            expired.get(index).onTimer(generations.get(index));
        }
    }
}
