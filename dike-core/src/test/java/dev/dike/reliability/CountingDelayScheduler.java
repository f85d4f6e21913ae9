package dev.dike.reliability;

import dev.dike.time.DelayScheduler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a {@link DelayScheduler} and counts each task's fate: every task scheduled must end up run
 * or cancelled; the difference is what is still scheduled.
 */
final class CountingDelayScheduler implements DelayScheduler {

    private final DelayScheduler delegate;
    final LongAdder scheduled = new LongAdder();
    final LongAdder ran = new LongAdder();
    final LongAdder cancelled = new LongAdder();

    CountingDelayScheduler(DelayScheduler delegate) {
        this.delegate = delegate;
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
        scheduled.increment();
        AtomicBoolean ended = new AtomicBoolean();
        ScheduledTask scheduledTask = delegate.schedule(() -> {
            if (ended.compareAndSet(false, true)) {
                ran.increment();
            }
            task.run();
        }, delay, unit);
        return () -> {
            boolean prevented = scheduledTask.cancel();
            if (prevented && ended.compareAndSet(false, true)) {
                cancelled.increment();
            }
            return prevented;
        };
    }

    @Override
    public long nanoTime() {
        return delegate.nanoTime();
    }

    /** @return the tasks neither run nor cancelled yet */
    long pending() {
        return scheduled.sum() - ran.sum() - cancelled.sum();
    }
}
