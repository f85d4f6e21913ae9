package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.ReactorLimit;
import dev.dike.limit.TooManyCallsException;
import dev.dike.retry.ReactorRetry;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * With BlockHound installed, dike's asynchronous paths run on Reactor's non-blocking threads
 * ({@code Schedulers.parallel()}) without ever blocking one: a limiter wait with {@code maxWait > 0}
 * that is granted or times out, retry delays, batch submissions, flushes and completions. Every
 * primitive also uses a parallel thread as its executor, so the work it hands off is checked too. A
 * deliberately blocking control case proves that BlockHound is active and would catch a block.
 *
 * <p>Runs in its own surefire execution ({@code blockhound} in dike-core's pom): installing BlockHound
 * is for the whole JVM, and on Java 13+ needs {@code -XX:+AllowRedefinitionToAddDeleteMethods}.
 */
@Tag("stress")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NonBlockingBlockHoundTest {

    private static final String JVM_FLAG = "-XX:+AllowRedefinitionToAddDeleteMethods";
    private static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();
    private static final AtomicInteger SCENARIOS_WITHOUT_BLOCKING = new AtomicInteger();
    private static final AtomicInteger CONTROL_CASES_DETECTED = new AtomicInteger();

    private final Scheduler parallel = Schedulers.parallel();
    /** Hands work to Reactor's non-blocking threads, so what dike runs there is checked too. */
    private final Executor nonBlocking = task -> parallel.schedule(task);

    @BeforeAll
    static void installBlockHound() {
        boolean flagged = ManagementFactory.getRuntimeMXBean().getInputArguments().contains(JVM_FLAG);
        // -Dtest=... also selects this class in the default execution, which lacks the flag: skip it
        // there; the 'blockhound' execution (which sets the property) must never skip.
        if (!flagged && Boolean.getBoolean("dike.blockhound.execution")) {
            throw new IllegalStateException("The surefire execution 'blockhound' must run the JVM with " + JVM_FLAG);
        }
        if (!flagged) {
            Assumptions.abort("runs in dike-core's surefire execution 'blockhound', whose JVM has " + JVM_FLAG);
        }
        BlockHound.install(builder -> builder
                // Scheduling and cancelling a timer takes the lock of the JDK's ScheduledThreadPoolExecutor
                // queue for a heap operation; under contention the thread parks for those few
                // instructions. Reactor's own integration allows this queue's offer() and take() for the
                // same reason; dike's system scheduler removes cancelled timers at once (remove()), so
                // that a cancelled wait or retry delay does not stay queued until it would have expired.
                .allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove")
                .blockingMethodCallback(method -> {
                    BLOCKING_CALLS.add(method + " on " + Thread.currentThread().getName());
                    throw new BlockingOperationError(method);
                }));
    }

    @BeforeEach
    void clear() {
        BLOCKING_CALLS.clear();
    }

    @Test
    void controlCaseABlockingCallIsDetected() {
        assertThatThrownBy(() -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(parallel).block(Duration.ofSeconds(10))).hasCauseInstanceOf(BlockingOperationError.class)
                .hasMessageContaining("Thread.sleep");
        assertThat(BLOCKING_CALLS).singleElement().asString().contains("sleep").contains("parallel");
        CONTROL_CASES_DETECTED.incrementAndGet();
    }

    @Test
    void reactorLimitWaitsIsGrantedAndTimesOutWithoutBlocking() throws Exception {
        JobLimiter limiter = JobLimiter.builder("blockhound-mono").limit(1).maxWait(Duration.ofSeconds(30))
                .executor(nonBlocking).build();
        for (int round = 0; round < 100; round++) {
            Sinks.One<String> holder = Sinks.one();
            CompletableFuture<String> first = onParallel(() -> ReactorLimit.mono(limiter, holder::asMono).toFuture());
            awaitCondition(() -> limiter.inFlight() == 1);
            CompletableFuture<String> second = onParallel(() -> ReactorLimit.mono(limiter, () -> Mono.just("second"))
                    .toFuture());
            awaitCondition(() -> limiter.waiting() == 1);
            parallel.schedule(() -> holder.tryEmitValue("first"));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).as("granted after waiting").isEqualTo("second");
        }
        JobLimiter shortWait = JobLimiter.builder("blockhound-mono-timeout").limit(1).maxWait(Duration.ofMillis(20))
                .executor(nonBlocking).build();
        Sinks.One<String> holder = Sinks.one();
        CompletableFuture<String> held = onParallel(() -> ReactorLimit.mono(shortWait, holder::asMono).toFuture());
        awaitCondition(() -> shortWait.inFlight() == 1);
        for (int round = 0; round < 20; round++) {
            CompletableFuture<String> rejected = onParallel(() -> ReactorLimit.mono(shortWait, () -> Mono.just("x"))
                    .toFuture());
            assertThatThrownBy(() -> rejected.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TooManyCallsException.class);
        }
        holder.tryEmitValue("done");
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertNoBlockingCall();
        assertThat(limiter.inFlight() + shortWait.inFlight()).isZero();
    }

    @Test
    void executeAsyncWaitsIsGrantedAndTimesOutWithoutBlocking() throws Exception {
        JobLimiter limiter = JobLimiter.builder("blockhound-async").limit(4).maxWait(Duration.ofSeconds(30))
                .executor(nonBlocking).build();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int value = i;
            results.add(onParallel(() -> limiter.<Integer>executeAsync(() -> {
                CompletableFuture<Integer> operation = new CompletableFuture<>();
                parallel.schedule(() -> operation.complete(value), value % 3, TimeUnit.MILLISECONDS);
                return operation;
            })));
        }
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(limiter.permittedCount()).isEqualTo(1_000);

        JobLimiter shortWait = JobLimiter.builder("blockhound-async-timeout").limit(1).maxWait(Duration.ofMillis(20))
                .executor(nonBlocking).build();
        CompletableFuture<Integer> holder = new CompletableFuture<>();
        CompletableFuture<Integer> held = onParallel(() -> shortWait.executeAsync(() -> holder));
        awaitCondition(() -> shortWait.inFlight() == 1);
        for (int round = 0; round < 20; round++) {
            CompletableFuture<Integer> rejected = onParallel(() -> shortWait.executeAsync(
                    () -> CompletableFuture.completedFuture(0)));
            assertThatThrownBy(() -> rejected.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TooManyCallsException.class);
        }
        parallel.schedule(() -> holder.complete(1));
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertNoBlockingCall();
        assertThat(limiter.inFlight() + shortWait.inFlight()).isZero();
    }

    @Test
    void retryDelaysNeverBlock() throws Exception {
        Retrier retrier = Retrier.builder("blockhound-retry").executor(nonBlocking)
                .config(RetryConfig.builder().attempts(4).delay(Duration.ofMillis(2)).backoff(2).jitter(0.5).build())
                .build();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            AtomicInteger futureAttempts = new AtomicInteger();
            AtomicInteger monoAttempts = new AtomicInteger();
            results.add(onParallel(() -> retrier.executeAsync(() -> futureAttempts.incrementAndGet() < 3
                    ? CompletableFuture.failedFuture(new IllegalStateException("try again"))
                    : CompletableFuture.completedFuture(futureAttempts.get()))));
            results.add(onParallel(() -> ReactorRetry.mono(retrier, () -> monoAttempts.incrementAndGet() < 3
                    ? Mono.error(new IllegalStateException("try again"))
                    : Mono.just(monoAttempts.get())).toFuture()));
        }
        for (CompletableFuture<Integer> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(3);
        }
        assertNoBlockingCall();
    }

    @Test
    void batchSubmissionsFlushesAndCompletionsNeverBlock() throws Exception {
        try (Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("blockhound-batch",
                        (key, columns) -> CompletableFuture.completedFuture(columns.get(0).stream().map(v -> v * 2)
                                .toList()))
                .config(BatchConfig.builder().targetBatchSize(8).maxWaitingTime(Duration.ofMillis(2)).build())
                .executor(nonBlocking).build()) {
            List<CompletableFuture<List<Integer>>> results = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int value = i;
                results.add(onParallel(() -> batcher.submitKeyed(value % 3, List.of(List.of(value, value + 1)))));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).containsExactly(2 * i, 2 * i + 2);
            }
        }
        assertNoBlockingCall();
    }

    /** Calls {@code call} on a parallel thread and returns the future it returns. */
    private <T> CompletableFuture<T> onParallel(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        parallel.schedule(() -> {
            try {
                call.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (Throwable thrown) {
                result.completeExceptionally(thrown);
            }
        });
        return result;
    }

    private static void awaitCondition(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(1); // the test thread is not a non-blocking thread
        }
    }

    private static void assertNoBlockingCall() {
        assertThat(BLOCKING_CALLS).as("blocking calls on non-blocking threads").isEmpty();
        SCENARIOS_WITHOUT_BLOCKING.incrementAndGet();
    }

    @AfterAll
    static void report() {
        System.out.printf("RELIABILITY blockhound dike-core: scenarios without a blocking call=%d, "
                + "control cases detected=%d%n", SCENARIOS_WITHOUT_BLOCKING.get(), CONTROL_CASES_DETECTED.get());
    }
}
