package dev.dike.time;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link DelayScheduler} whose clock only moves when a test calls {@link #advance}; due tasks then
 * run on the test's thread, in time order. Thread-safe, so primitives may schedule from any thread.
 */
public final class ManualDelayScheduler implements DelayScheduler {

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private long now;

    @Override
    public synchronized ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
        Entry entry = new Entry(now + Math.max(0, unit.toNanos(delay)), sequence.getAndIncrement(), task);
        queue.add(entry);
        return () -> {
            synchronized (ManualDelayScheduler.this) {
                return queue.remove(entry);
            }
        };
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** Moves the clock forward and runs every task that becomes due, including ones they schedule. */
    public void advance(long amount, TimeUnit unit) {
        long target;
        synchronized (this) {
            target = now + unit.toNanos(amount);
        }
        while (true) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueNanos > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = Math.max(now, next.dueNanos);
            }
            next.task.run();
        }
    }

    /** Runs the tasks that are due now without moving the clock. */
    public void runDueTasks() {
        advance(0, TimeUnit.NANOSECONDS);
    }

    /** @return the number of tasks scheduled and neither run nor cancelled */
    public synchronized int pendingTasks() {
        return queue.size();
    }

    /** @return the delays, from now, of the pending tasks in due order */
    public synchronized List<Long> pendingDelaysNanos() {
        List<Entry> sorted = new ArrayList<>(queue);
        sorted.sort(null);
        List<Long> delays = new ArrayList<>();
        for (Entry entry : sorted) {
            delays.add(entry.dueNanos - now);
        }
        return delays;
    }

    private static final class Entry implements Comparable<Entry> {
        final long dueNanos;
        final long sequence;
        final Runnable task;

        Entry(long dueNanos, long sequence, Runnable task) {
            this.dueNanos = dueNanos;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            int byTime = Long.compare(dueNanos, other.dueNanos);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
