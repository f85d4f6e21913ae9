package dev.dike.retry;

import dev.dike.time.DelayScheduler;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scheduler and an executor that must not be used: each use is counted and fails with an
 * {@link AssertionError}, which also fails the call that tried it.
 */
final class UnusableHandOffs implements DelayScheduler, Executor {

    final AtomicInteger uses = new AtomicInteger();

    @Override
    public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
        uses.incrementAndGet();
        throw new AssertionError("the scheduler was asked to run a task after " + unit.toNanos(delay) + "ns");
    }

    @Override
    public long nanoTime() {
        return 0;
    }

    @Override
    public void execute(Runnable command) {
        uses.incrementAndGet();
        throw new AssertionError("the executor was asked to run a task");
    }

    /** @return a retrier whose delays and hand-offs go through this object */
    Retrier retrier(String name, RetryConfig.Builder config, RetryListener listener) {
        return Retrier.builder(name).config(config.build()).scheduler(this).executor(this).listener(listener)
                .random(() -> 0.5).build();
    }
}
