package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Many threads share one retrier; every call must get its own attempt count, its own result or its
 * own last exception, and exactly one completion.
 */
class RetrierConcurrencyTest {

    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 400;
    private static final int ATTEMPTS = 4;

    private final ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    private final ExecutorService attemptsPool = Executors.newFixedThreadPool(4);
    private final RetryLogCapture log = new RetryLogCapture();
    private final CountingListener listener = new CountingListener();

    @AfterEach
    void tearDown() {
        callers.shutdownNow();
        attemptsPool.shutdownNow();
        log.close();
    }

    private Retrier sharedRetrier() {
        return Retrier.builder("shared").listener(listener).executor(attemptsPool)
                .config(RetryConfig.builder().attempts(ATTEMPTS).logExceptionInfo(false).build())
                .scheduler(DelayScheduler.system()).build();
    }

    /** Call {@code id} fails its first {@code id % 6} attempts: 0..3 succeed, 4 and 5 exhaust the attempts. */
    private static int failuresOf(int id) {
        return id % 6;
    }

    @Test
    void concurrentAsyncCallsKeepTheirOwnStateAndResults() throws Exception {
        Retrier retrier = sharedRetrier();
        Calls calls = new Calls();

        runOnAllThreads(id -> calls.track(id, retrier.executeAsync(() -> id % 2 == 0
                ? CompletableFuture.completedFuture(calls.attempt(id)) // fails by a synchronous throw
                : CompletableFuture.supplyAsync(() -> calls.attempt(id), attemptsPool))));

        calls.verify();
    }

    @Test
    void concurrentSyncCallsKeepTheirOwnStateAndResults() throws Exception {
        Retrier retrier = sharedRetrier();
        Calls calls = new Calls();

        runOnAllThreads(id -> {
            CompletableFuture<String> result = calls.track(id, new CompletableFuture<>());
            try {
                result.complete(retrier.call(() -> calls.attempt(id)));
            } catch (Exception error) {
                result.completeExceptionally(error);
            }
        });

        calls.verify();
    }

    @Test
    void concurrentMonoSubscriptionsKeepTheirOwnStateAndResults() throws Exception {
        Retrier retrier = sharedRetrier();
        Calls calls = new Calls();

        runOnAllThreads(id -> {
            CompletableFuture<String> result = calls.track(id, new CompletableFuture<>());
            ReactorRetry.mono(retrier, () -> Mono.fromCallable(() -> calls.attempt(id)))
                    .subscribe(result::complete, result::completeExceptionally);
        });

        calls.verify();
    }

    /**
     * Cancels calls while another thread drives their delays and attempts: afterwards nothing may be
     * left scheduled, every attempt's future is done, and at most the one attempt that was starting
     * when cancel ran may have begun after it.
     */
    @Test
    @Tag("stress")
    void cancelRacingWithScheduledAttemptsNeverLeaksAnAttemptOrATask() throws Exception {
        for (int round = 0; round < 600; round++) {
            ManualDelayScheduler scheduler = new ManualDelayScheduler();
            Retrier retrier = Retrier.builder("race").scheduler(scheduler).executor(Runnable::run)
                    .config(RetryConfig.builder().attempts(-1).delay(Duration.ofNanos(1)).build()).build();
            List<CompletableFuture<String>> attemptFutures = new CopyOnWriteArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            boolean failSynchronously = round % 2 == 0;
            CompletableFuture<String> result = retrier.executeAsync(() -> {
                calls.incrementAndGet();
                CompletableFuture<String> attempt = new CompletableFuture<>();
                attemptFutures.add(attempt);
                if (failSynchronously) {
                    attempt.completeExceptionally(new IllegalStateException("again"));
                }
                return attempt;
            });
            int callsWhenCancelled = stopWhileDriven(() -> result.cancel(false), calls, () -> {
                CompletableFuture<String> latest = attemptFutures.get(attemptFutures.size() - 1);
                latest.completeExceptionally(new IllegalStateException("again"));
                scheduler.advance(1, TimeUnit.NANOSECONDS);
            });

            assertThat(result).isCancelled();
            assertThat(scheduler.pendingTasks()).as("round %d: scheduled tasks left", round).isZero();
            scheduler.advance(1, TimeUnit.SECONDS);
            assertThat(calls.get()).as("round %d: attempts after cancel", round).isLessThanOrEqualTo(callsWhenCancelled + 1);
            assertThat(attemptFutures).as("round %d: attempt futures", round).allMatch(CompletableFuture::isDone);
        }
    }

    /**
     * Zero delays: each failure starts the next attempt on the thread that saw it, here the test's
     * thread (attempts that fail at once) or a driver thread that fails the pending attempt, often
     * while the other thread is still finishing its loop. Cancelling at a random moment must stop the
     * chain: at most the attempt that was starting may begin after it, and every attempt ends.
     */
    @Test
    @Tag("stress")
    void cancelRacingWithZeroDelayRetriesNeverLeaksAnAttempt() throws Exception {
        UnusableHandOffs unusable = new UnusableHandOffs();
        Retrier retrier = unusable.retrier("race", RetryConfig.builder().attempts(RetryConfig.UNLIMITED_ATTEMPTS),
                RetryListener.NONE);
        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            for (int round = 0; round < 600; round++) {
                List<CompletableFuture<String>> attemptFutures = new CopyOnWriteArrayList<>();
                AtomicReference<CompletableFuture<String>> latest = new AtomicReference<>();
                AtomicInteger calls = new AtomicInteger();
                CompletableFuture<String> result = retrier.executeAsync(() -> {
                    calls.incrementAndGet();
                    CompletableFuture<String> attempt = new CompletableFuture<>();
                    attemptFutures.add(attempt);
                    latest.set(attempt);
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        attempt.completeExceptionally(new IllegalStateException("at once"));
                    }
                    return attempt;
                });
                int callsWhenCancelled = stopWhileDriven(() -> result.cancel(false), calls,
                        () -> latest.get().completeExceptionally(new IllegalStateException("later")));

                assertThat(result).isCancelled();
                assertThat(calls.get()).as("round %d: attempts after cancel", round)
                        .isLessThanOrEqualTo(callsWhenCancelled + 1);
                assertThat(attemptFutures).as("round %d: attempt futures", round).allMatch(CompletableFuture::isDone);
            }
        }
        assertThat(unusable.uses).hasValue(0);
    }

    /** Disposes subscriptions while another thread drives their delays and attempts. */
    @Test
    @Tag("stress")
    void disposeRacingWithScheduledAttemptsNeverLeaksAnAttemptOrATask() throws Exception {
        for (int round = 0; round < 600; round++) {
            ManualDelayScheduler scheduler = new ManualDelayScheduler();
            Retrier retrier = Retrier.builder("race").scheduler(scheduler).executor(Runnable::run)
                    .config(RetryConfig.builder().attempts(-1).delay(Duration.ofNanos(1)).build()).build();
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger terminated = new AtomicInteger();
            reactor.core.Disposable subscription = ReactorRetry.flux(retrier, () -> {
                calls.incrementAndGet();
                return reactor.core.publisher.Flux.<String>error(new IllegalStateException("again"));
            }).subscribe(value -> { }, error -> terminated.incrementAndGet(), terminated::incrementAndGet);
            int callsWhenDisposed = stopWhileDriven(subscription::dispose, calls,
                    () -> scheduler.advance(1, TimeUnit.NANOSECONDS));

            assertThat(scheduler.pendingTasks()).as("round %d: scheduled tasks left", round).isZero();
            scheduler.advance(1, TimeUnit.SECONDS);
            assertThat(calls.get()).as("round %d: attempts after dispose", round)
                    .isLessThanOrEqualTo(callsWhenDisposed + 1);
            assertThat(terminated).as("round %d: signals after dispose", round).hasValue(0);
        }
    }

    /**
     * Runs {@code driveOnce} over and over on a driver thread, and at a random moment stops the call
     * from this thread; then stops the driver.
     *
     * @return the number of calls made when the call was stopped
     */
    private static int stopWhileDriven(Runnable stopCall, AtomicInteger calls, Runnable driveOnce)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch driverStarted = new CountDownLatch(1);
        Thread driver = new Thread(() -> {
            driverStarted.countDown();
            while (!stop.get()) {
                driveOnce.run();
            }
        });
        driver.start();
        driverStarted.await();
        spin(ThreadLocalRandom.current().nextInt(2000));

        stopCall.run();
        int callsWhenStopped = calls.get();
        stop.set(true);
        driver.join();
        return callsWhenStopped;
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }

    private void runOnAllThreads(ThrowingIntConsumer call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
        for (int thread = 0; thread < THREADS; thread++) {
            int first = thread * CALLS_PER_THREAD;
            workers.add(callers.submit(() -> {
                start.await();
                for (int id = first; id < first + CALLS_PER_THREAD; id++) {
                    call.accept(id);
                }
                return null;
            }));
        }
        start.countDown();
        for (java.util.concurrent.Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
    }

    /** The calls of one test: call {@code id} fails its first {@link #failuresOf} attempts. */
    private final class Calls {
        private final Map<Integer, AtomicInteger> attemptsById = new ConcurrentHashMap<>();
        private final Map<Integer, CompletableFuture<String>> results = new ConcurrentHashMap<>();
        private final Map<Integer, RuntimeException> lastErrors = new ConcurrentHashMap<>();

        CompletableFuture<String> track(int id, CompletableFuture<String> result) {
            results.put(id, result);
            return result;
        }

        /** One attempt of call {@code id}: throws a new exception or returns the call's own result. */
        String attempt(int id) {
            int attempt = attemptsById.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            if (attempt <= failuresOf(id)) {
                RuntimeException error = new RuntimeException("call " + id + " attempt " + attempt);
                lastErrors.put(id, error);
                throw error;
            }
            return "result " + id;
        }

        void verify() throws Exception {
            CompletableFuture.allOf(results.values().toArray(new CompletableFuture<?>[0]))
                    .handle((value, error) -> null).get(30, TimeUnit.SECONDS);
            int total = THREADS * CALLS_PER_THREAD;
            assertThat(results).hasSize(total);
            long expectedAttempts = 0;
            int expectedFailures = 0;
            for (int id = 0; id < total; id++) {
                int failures = failuresOf(id);
                int expected = Math.min(failures + 1, ATTEMPTS);
                expectedAttempts += expected;
                assertThat(attemptsById.get(id)).as("attempts of call %d", id).hasValue(expected);
                CompletableFuture<String> result = results.get(id);
                assertThat(result).as("call %d", id).isDone();
                if (failures < ATTEMPTS) {
                    assertThat(result.join()).isEqualTo("result " + id);
                } else {
                    expectedFailures++;
                    Throwable error = result.handle((value, failure) -> failure).join();
                    assertThat(error).as("call %d", id).isSameAs(lastErrors.get(id));
                    assertThat(error).hasMessage("call " + id + " attempt " + ATTEMPTS);
                }
            }
            long retries = expectedAttempts - total;
            long attempts = expectedAttempts;
            int failures = expectedFailures;
            // A future's callers may see it complete just before its completion event reaches the listener.
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(listener.completed.sum()).isEqualTo(total);
                assertThat(listener.failed.sum()).isEqualTo(failures);
                assertThat(listener.attempts.sum()).isEqualTo(attempts);
                assertThat(listener.retries.sum()).isEqualTo(retries);
            });
            assertThat(log.warnings()).hasSize((int) (expectedAttempts - total));
        }
    }

    @FunctionalInterface
    private interface ThrowingIntConsumer {
        void accept(int value) throws Exception;
    }
}
