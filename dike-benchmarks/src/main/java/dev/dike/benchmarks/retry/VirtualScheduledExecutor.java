package dev.dike.benchmarks.retry;

import dev.dike.time.ManualDelayScheduler;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} whose delays wait on a {@link ManualDelayScheduler}: what
 * Resilience4j's asynchronous retry ({@code Retry.executeCompletionStage}) needs to wait between
 * attempts on the simulation's virtual clock. A scheduled task runs on the thread that advances the
 * clock, when its time comes; {@link #execute} runs its task at once on the caller's thread. Periodic
 * tasks are not supported (nothing in the simulation uses them), and shutting down does nothing: the
 * simulation simply stops advancing the clock.
 */
final class VirtualScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private final ManualDelayScheduler clock;

    VirtualScheduledExecutor(ManualDelayScheduler clock) {
        this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(Executors.callable(command, null), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        DelayedTask<V> task = new DelayedTask<>(callable, clock.nanoTime() + unit.toNanos(Math.max(0, delay)));
        clock.schedule(task, delay, unit); // a cancelled FutureTask does nothing when it is run
        return task;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks are not supported on the virtual clock");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks are not supported on the virtual clock");
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }

    /** A task due at a point of the virtual clock. */
    private final class DelayedTask<V> extends FutureTask<V> implements ScheduledFuture<V> {

        private final long dueNanos;

        DelayedTask(Callable<V> callable, long dueNanos) {
            super(callable);
            this.dueNanos = dueNanos;
        }

        /** Runs the task; a task that throws fails the simulation instead of hiding in its future. */
        @Override
        public void run() {
            super.run();
            if (isDone() && !isCancelled()) {
                try {
                    get();
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException("A task scheduled on the virtual clock failed", e.getCause());
                }
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - clock.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
