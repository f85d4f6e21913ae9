package dev.dike.benchmarks.adaptive;

import dev.dike.time.DelayScheduler.ScheduledTask;
import dev.dike.time.ManualDelayScheduler;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The simulated backend: a pool of workers (a database's connections, a service's threads) serving
 * calls in arrival order, each for a jittered service time; calls beyond the workers wait in an
 * unbounded FIFO queue. Its capacity (workers available) can change and it can stop completely for a
 * while (a pause: calls in service stop progressing, none starts). Runs on the virtual clock, on the
 * test's thread only; not thread-safe.
 */
final class Backend {

    /**
     * The backend's shape.
     *
     * @param workers      calls served at once at full capacity
     * @param serviceNanos mean service time of one call
     * @param jitter       service times are uniform in {@code serviceNanos * (1 ± jitter)}
     */
    record Model(int workers, long serviceNanos, double jitter) {

        /** 40 workers, 40 ms ± 20 %: 1,000 calls per second at full capacity. */
        static final Model DEFAULT = new Model(40, TimeUnit.MILLISECONDS.toNanos(40), 0.2);

        /** @return calls per second at full capacity */
        double callsPerSecond() {
            return workers * 1e9 / serviceNanos;
        }
    }

    /** What a fast failure fails with: no stack trace, one instance. */
    static final RuntimeException FAST_FAILURE = new RuntimeException("simulated fast failure", null, false, false) {
    };

    private final Model model;
    private final ManualDelayScheduler clock;
    private final Random serviceTimes;
    private final Random failures;
    private final double failureRate;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Set<Job> inService = new LinkedHashSet<>();
    private int workers;
    private long pausedUntil;

    Backend(Model model, ManualDelayScheduler clock, long seed, double failureRate) {
        this.model = model;
        this.clock = clock;
        this.serviceTimes = new Random(seed * 31 + 1);
        this.failures = new Random(seed * 31 + 2);
        this.failureRate = failureRate;
        this.workers = model.workers();
    }

    /** @return a future completed when the backend has served the call (or failed it fast) */
    CompletableFuture<Object> submit() {
        double factor = 1.0 + model.jitter() * (2.0 * serviceTimes.nextDouble() - 1.0);
        boolean fails = failures.nextDouble() < failureRate;
        long service = (long) (model.serviceNanos() * factor * (fails ? 0.1 : 1.0));
        Job job = new Job(service, fails);
        if (inService.size() < workers) {
            start(job);
        } else {
            queue.add(job);
        }
        return job.future;
    }

    /** Changes the number of workers available to {@code fraction} of the model's; calls in service finish. */
    void capacity(double fraction) {
        workers = Math.max(1, (int) Math.round(model.workers() * fraction));
        startQueued();
    }

    /** Stops the backend for {@code nanos}: calls in service stop progressing, none starts. */
    void pause(long nanos) {
        long now = clock.nanoTime();
        pausedUntil = Math.max(pausedUntil, now) + nanos;
        for (Job job : List.copyOf(inService)) {
            job.task.cancel();
            schedule(job, job.dueNanos + nanos);
        }
    }

    /** @return calls in service and queued */
    int outstanding() {
        return inService.size() + queue.size();
    }

    private void start(Job job) {
        inService.add(job);
        schedule(job, Math.max(clock.nanoTime(), pausedUntil) + job.serviceNanos);
    }

    private void schedule(Job job, long dueNanos) {
        job.dueNanos = dueNanos;
        job.task = clock.schedule(() -> finish(job), dueNanos - clock.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void finish(Job job) {
        inService.remove(job);
        startQueued();
        if (job.fails) {
            job.future.completeExceptionally(FAST_FAILURE);
        } else {
            job.future.complete(Boolean.TRUE);
        }
    }

    private void startQueued() {
        while (inService.size() < workers && !queue.isEmpty()) {
            start(queue.poll());
        }
    }

    private static final class Job {
        final long serviceNanos;
        final boolean fails;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        long dueNanos;
        ScheduledTask task;

        Job(long serviceNanos, boolean fails) {
            this.serviceNanos = serviceNanos;
            this.fails = fails;
        }
    }
}
