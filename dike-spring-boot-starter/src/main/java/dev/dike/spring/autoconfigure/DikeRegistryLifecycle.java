package dev.dike.spring.autoconfigure;

import dev.dike.batch.Batcher;
import dev.dike.spring.DikeRegistry;
import dev.dike.time.DelayScheduler;

import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

/**
 * Closes the {@link DikeRegistry} when the application context stops, so that every batcher
 * flushes the calls it has queued, and reports the stop as done once those batches have finished.
 *
 * <p>Its phase is very low, so it stops after the web server has drained its requests and after
 * message listeners have stopped, while every bean a batch operation may need still exists.
 */
final class DikeRegistryLifecycle implements SmartLifecycle {

    /** Stops among the last lifecycle beans, yet before any bean is destroyed. */
    static final int PHASE = Integer.MIN_VALUE + 1024;

    private static final long IDLE_POLL_MILLIS = 5;

    private final DikeRegistry registry;
    // Always the real clock: an application's manual test scheduler would never end the wait.
    private final DelayScheduler scheduler = DelayScheduler.system();
    private volatile boolean running;

    /**
     * @param registry the registry to close
     */
    DikeRegistryLifecycle(DikeRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        registry.close();
    }

    @Override
    public void stop(Runnable callback) {
        stop();
        whenIdle(callback);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    // The context waits for the callback (at most spring.lifecycle.timeout-per-shutdown-phase).
    private void whenIdle(Runnable callback) {
        if (registry.batchers().values().stream().allMatch(DikeRegistryLifecycle::idle)) {
            callback.run();
        } else {
            scheduler.schedule(() -> whenIdle(callback), IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean idle(Batcher<?, ?> batcher) {
        return batcher.queuedCalls() == 0 && batcher.batchesInFlight() == 0;
    }
}
