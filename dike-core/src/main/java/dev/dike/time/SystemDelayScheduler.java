package dev.dike.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The shared {@link DelayScheduler}: one daemon thread, cancelled tasks removed at once. */
final class SystemDelayScheduler implements DelayScheduler {

    static final SystemDelayScheduler INSTANCE = new SystemDelayScheduler();

    private final ScheduledThreadPoolExecutor executor;

    private SystemDelayScheduler() {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "dike-timer");
            thread.setDaemon(true);
            return thread;
        });
        // Without this, every cancelled retry delay or batch timer would stay queued until it expires.
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
        ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay), unit);
        return () -> future.cancel(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /** Number of tasks waiting to run; used by tests to prove that nothing is left behind. */
    int queuedTasks() {
        return executor.getQueue().size();
    }
}
