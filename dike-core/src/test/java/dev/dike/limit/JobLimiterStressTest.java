package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Many threads hammer one limiter with every kind of call and every way of ending one (success,
 * failure, synchronous throw, null, cancellation, disposal, timeout). The operations really
 * running at once must never exceed the limit, every caller must hear back exactly once, and the
 * limiter must end idle: nothing in flight, nothing waiting, every permit free.
 */
class JobLimiterStressTest {

    private static final int LIMIT = 3;
    /** More stripes than the limit, so that calls keep searching other stripes than their own. */
    private static final int STRIPES = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(3, runnable -> {
        Thread thread = new Thread(runnable, "stress-pool");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrencyProbe probe = new ConcurrencyProbe();
    private final AtomicInteger observedRejections = new AtomicInteger();
    private final List<CompletableFuture<?>> outcomes = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
    }

    @Test
    void mixedLoadWithoutWaiting() throws Exception {
        runMixedLoad(6, 300, Duration.ZERO, DelayScheduler.system());
    }

    @Test
    void mixedLoadWithWaiting() throws Exception {
        runMixedLoad(6, 300, Duration.ofMillis(2), DelayScheduler.system());
    }

    @Test
    @Tag("stress")
    void heavyMixedLoadWithoutWaiting() throws Exception {
        runMixedLoad(16, 5_000, Duration.ZERO, DelayScheduler.system());
    }

    @Test
    @Tag("stress")
    void heavyMixedLoadWithWaiting() throws Exception {
        runMixedLoad(16, 5_000, Duration.ofMillis(1), DelayScheduler.system());
    }

    @Test
    void grantsTimeoutsAndCancellationsRacing() throws Exception {
        raceGrantsTimeoutsAndCancellations(4, 2_000);
    }

    @Test
    @Tag("stress")
    void heavyRaceOfGrantsTimeoutsAndCancellations() throws Exception {
        raceGrantsTimeoutsAndCancellations(8, 6_000);
    }

    private void runMixedLoad(int threads, int callsPerThread, Duration maxWait, DelayScheduler scheduler)
            throws Exception {
        JobLimiter limiter = JobLimiter.builder("stress").limit(LIMIT).stripes(STRIPES).maxWait(maxWait)
                .scheduler(scheduler).executor(pool).build();
        runConcurrently(threads, () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < callsPerThread; i++) {
                switch (random.nextInt(3)) {
                    case 0 -> asyncCall(limiter, random);
                    case 1 -> syncCall(limiter, random);
                    default -> monoCall(limiter, random);
                }
            }
        });
        assertIdleAndWithinLimit(limiter);
    }

    /** Limit 1 and a clock moved by its own thread, so grants, timeouts and cancels keep colliding. */
    private void raceGrantsTimeoutsAndCancellations(int threads, int callsPerThread) throws Exception {
        ManualDelayScheduler clock = new ManualDelayScheduler();
        JobLimiter limiter = JobLimiter.builder("race").limit(1).stripes(STRIPES).maxWait(Duration.ofMillis(1))
                .scheduler(clock).executor(pool).build();
        AtomicBoolean callersDone = new AtomicBoolean();
        Thread timer = new Thread(() -> {
            while (!callersDone.get()) {
                clock.advance(100, TimeUnit.MICROSECONDS);
                Thread.onSpinWait();
            }
        }, "race-timer");
        timer.start();
        try {
            runConcurrently(threads, () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < callsPerThread; i++) {
                    if (random.nextBoolean()) {
                        asyncCall(limiter, random);
                    } else {
                        monoCall(limiter, random);
                    }
                }
            });
        } finally {
            callersDone.set(true);
            timer.join();
        }
        clock.advance(1, TimeUnit.SECONDS);
        assertIdleAndWithinLimit(limiter);
        assertThat(limiter.maxWait()).isEqualTo(Duration.ofMillis(1));
        assertThat(clock.pendingTasks()).as("no timeout left behind").isZero();
    }

    private void asyncCall(JobLimiter limiter, ThreadLocalRandom random) {
        ConcurrencyProbe.Run run = probe.newRun();
        int behaviour = random.nextInt(6);
        CompletableFuture<Integer> result = limiter.executeAsync(() -> {
            run.start();
            switch (behaviour) {
                case 0:
                    run.finish();
                    throw new IllegalStateException("sync throw");
                case 1:
                    run.finish();
                    return null;
                case 2:
                    run.finish();
                    return CompletableFuture.completedFuture(1);
                default:
                    ProbedFuture<Integer> operation = new ProbedFuture<>(run);
                    pool.execute(() -> {
                        spin(random(50));
                        run.finish();
                        if (behaviour == 3) {
                            operation.completeExceptionally(new IllegalArgumentException("async failure"));
                        } else {
                            operation.complete(2);
                        }
                    });
                    return operation;
            }
        });
        if (random.nextInt(4) == 0) {
            spin(random.nextInt(20));
            result.cancel(true);
        }
        outcomes.add(result.handle((value, error) -> {
            if (unwrap(error) instanceof TooManyCallsException) {
                observedRejections.incrementAndGet();
            }
            return null;
        }));
    }

    private void syncCall(JobLimiter limiter, ThreadLocalRandom random) {
        ConcurrencyProbe.Run run = probe.newRun();
        try {
            limiter.call(() -> {
                run.start();
                spin(random.nextInt(20));
                run.finish();
                if (random.nextInt(4) == 0) {
                    throw new IllegalStateException("sync failure");
                }
                return 1;
            });
        } catch (TooManyCallsException rejected) {
            observedRejections.incrementAndGet();
        } catch (Exception expected) {
            // the operation's own failure
        }
    }

    private void monoCall(JobLimiter limiter, ThreadLocalRandom random) {
        ConcurrencyProbe.Run run = probe.newRun();
        boolean fail = random.nextInt(4) == 0;
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Disposable subscription = ReactorLimit.mono(limiter, () -> {
                    run.start();
                    return Mono.<Integer>create(sink -> {
                        AtomicBoolean gone = new AtomicBoolean();
                        sink.onCancel(() -> gone.set(true));
                        pool.execute(() -> {
                            spin(random(50));
                            run.finish();
                            if (!fail) {
                                sink.success(3);
                            } else if (!gone.get()) { // an error after cancellation is logged by Reactor as dropped
                                sink.error(new IllegalStateException("mono failure"));
                            }
                        });
                    });
                })
                // Downstream of the limiter: a cancellation passes here before it releases the permit.
                .doOnCancel(run::finish)
                .doFinally(signal -> ended.complete(null))
                .subscribe(value -> { }, error -> {
                    if (error instanceof TooManyCallsException) {
                        observedRejections.incrementAndGet();
                    }
                });
        if (random.nextInt(4) == 0) {
            spin(random.nextInt(20));
            subscription.dispose();
        }
        outcomes.add(ended);
    }

    private void assertIdleAndWithinLimit(JobLimiter limiter) throws Exception {
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        // A call cancelled while its permit was on the way gives it back when the executor reaches it.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> limiter.inFlight() == 0 && probe.running() == 0);

        assertThat(probe.maxRunning()).as("operations running at once").isLessThanOrEqualTo(limiter.limit());
        assertThat(probe.maxRunning()).as("operations ran").isGreaterThan(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(limiter.limit());
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.permittedCount()).isGreaterThanOrEqualTo(probe.started());
        assertThat(limiter.rejectedCount()).isGreaterThanOrEqualTo(observedRejections.get());
    }

    private static void runConcurrently(int threads, Runnable body) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<Void>> done = new CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(body, callers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        } finally {
            callers.shutdownNow();
        }
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** An operation's future that marks its run finished before a cancellation completes it. */
    private static final class ProbedFuture<T> extends CompletableFuture<T> {
        private final ConcurrencyProbe.Run run;

        ProbedFuture(ConcurrencyProbe.Run run) {
            this.run = run;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            run.finish();
            return super.cancel(mayInterruptIfRunning);
        }
    }
}
