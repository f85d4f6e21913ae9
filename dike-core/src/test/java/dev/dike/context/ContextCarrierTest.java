package dev.dike.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.ReactorLimit;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.RetryListener;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Every thread hop of the three primitives runs the caller's code in the caller's context, and leaves
 * the thread's own context as it found it. The hops run on this test's thread through a queueing
 * executor and the virtual clock, with a different value current on it (the "releasing" or "foreign"
 * side), so a primitive that forgot to open the caller's context, or opened the wrong one, shows that
 * value instead of the caller's.
 */
@SuppressWarnings("unchecked")
class ContextCarrierTest {

    private final ThreadLocalCarrier carrier = new ThreadLocalCarrier();
    private final ManualDelayScheduler clock = new ManualDelayScheduler();
    private final QueuedTasks executor = new QueuedTasks();

    @AfterEach
    void nothingLeftCurrent() {
        assertThat(ThreadLocalCarrier.CURRENT.get()).as("context left on the test thread").isNull();
    }

    @Test
    void retryAfterDelayRunsAttemptEventsAndCompletionInTheCallersContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Retrier retrier = Retrier.builder("ctx").config(RetryConfig.builder().attempts(3).delay(Duration.ofSeconds(1))
                        .jitter(0).build())
                .scheduler(clock).executor(executor).contextCarrier(carrier)
                .listener(new RetryListener() {
                    @Override
                    public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
                        seen.add("event:" + ThreadLocalCarrier.CURRENT.get());
                    }
                }).build();
        List<CompletableFuture<String>> attempts = new ArrayList<>();
        CompletableFuture<String>[] call = new CompletableFuture[1];
        ThreadLocalCarrier.as("caller", () -> {
            call[0] = retrier.executeAsync(() -> {
                seen.add("attempt:" + ThreadLocalCarrier.CURRENT.get());
                CompletableFuture<String> attempt = new CompletableFuture<>();
                attempts.add(attempt);
                return attempt;
            });
            call[0].whenComplete((value, error) -> seen.add("completion:" + ThreadLocalCarrier.CURRENT.get()));
        });

        // The first attempt fails on a thread that has a context of its own.
        ThreadLocalCarrier.as("foreign", () -> attempts.get(0).completeExceptionally(new IllegalStateException("1")));
        clock.advance(1, TimeUnit.SECONDS);
        assertThat(ThreadLocalCarrier.CURRENT.get()).isNull();
        executor.runAll();
        ThreadLocalCarrier.as("foreign", () -> attempts.get(1).complete("ok"));

        assertThat(call[0]).isCompletedWithValue("ok");
        assertThat(seen).containsExactly("attempt:caller", "event:caller", "attempt:caller", "completion:caller");
        assertThat(carrier.captured).containsExactly("caller");
        assertThat(carrier.ended).containsExactly("caller:null");
    }

    @Test
    void cancelledRetryReportsItsEndOnce() {
        Retrier retrier = Retrier.builder("ctx").scheduler(clock).executor(executor).contextCarrier(carrier).build();
        CompletableFuture<String>[] call = new CompletableFuture[1];
        ThreadLocalCarrier.as("caller", () -> call[0] = retrier.executeAsync(CompletableFuture::new));

        call[0].cancel(false);
        call[0].cancel(false);
        call[0].completeExceptionally(new IllegalStateException("late"));

        assertThat(carrier.ended).containsExactly("caller:CancellationException");
    }

    @Test
    void syncRetryReportsStartAndEnd() throws Exception {
        Retrier retrier = Retrier.builder("ctx").config(RetryConfig.builder().attempts(2).delay(Duration.ZERO).build())
                .contextCarrier(carrier).build();
        int[] calls = new int[1];
        ThreadLocalCarrier.CURRENT.set("caller");
        try {
            assertThat(retrier.call(() -> {
                if (calls[0]++ == 0) {
                    throw new IllegalStateException("first");
                }
                return "ok";
            })).isEqualTo("ok");
            assertThat(ThreadLocalCarrier.CURRENT.get()).isEqualTo("caller");
        } finally {
            ThreadLocalCarrier.CURRENT.remove();
        }
        assertThat(carrier.ended).containsExactly("caller:null");
    }

    @Test
    void waitingCallStartsInItsOwnContextNotTheReleasers() {
        JobLimiter limiter = JobLimiter.builder("ctx").limit(1).maxWait(Duration.ofSeconds(5)).scheduler(clock)
                .executor(executor).contextCarrier(carrier).build();
        CompletableFuture<String> first = new CompletableFuture<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<String>[] waiting = new CompletableFuture[1];
        ThreadLocalCarrier.as("holder", () -> limiter.executeAsync(() -> first));
        ThreadLocalCarrier.as("waiter", () -> waiting[0] = limiter.executeAsync(() -> {
            seen.add("operation:" + ThreadLocalCarrier.CURRENT.get());
            return CompletableFuture.completedFuture("done");
        }));

        assertThat(carrier.captured).as("only the call that waits captures").containsExactly("waiter");
        ThreadLocalCarrier.as("holder", () -> first.complete("released"));
        assertThat(carrier.events).as("the wait started, then ended with the grant")
                .containsExactly("waiter captured", "waiter waiting", "waiter done:null");
        executor.runAll();

        assertThat(seen).containsExactly("operation:waiter");
        assertThat(waiting[0]).isCompletedWithValue("done");
    }

    @Test
    void rejectionAfterTheWaitIsDeliveredInTheCallersContext() {
        JobLimiter limiter = JobLimiter.builder("ctx").limit(0).maxWait(Duration.ofSeconds(1)).scheduler(clock)
                .executor(executor).contextCarrier(carrier).build();
        List<String> seen = new CopyOnWriteArrayList<>();
        ThreadLocalCarrier.as("waiter", () -> limiter.executeAsync(() -> CompletableFuture.completedFuture("never"))
                .whenComplete((value, error) -> seen.add(error.getClass().getSimpleName() + ":"
                        + ThreadLocalCarrier.CURRENT.get())));

        clock.advance(1, TimeUnit.SECONDS);
        executor.runAll();

        assertThat(seen).containsExactly("TooManyCallsException:waiter");
        assertThat(carrier.events).containsExactly("waiter captured", "waiter waiting",
                "waiter done:TooManyCallsException");
    }

    @Test
    void givingUpTheWaitEndsIt() {
        JobLimiter limiter = JobLimiter.builder("ctx").limit(0).maxWait(Duration.ofSeconds(1)).scheduler(clock)
                .executor(executor).contextCarrier(carrier).build();
        CompletableFuture<String>[] waiting = new CompletableFuture[1];
        ThreadLocalCarrier.as("waiter", () -> waiting[0] = limiter.executeAsync(
                () -> CompletableFuture.completedFuture("never")));

        waiting[0].cancel(false);
        clock.advance(1, TimeUnit.SECONDS);

        assertThat(carrier.events).as("the end, once: the timeout found nothing left to reject")
                .containsExactly("waiter captured", "waiter waiting", "waiter done:CancellationException");
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aBlockingCallThatWaitsReportsTheWaitAroundItsGrant() throws Exception {
        JobLimiter limiter = JobLimiter.builder("ctx").limit(1).maxWait(Duration.ofSeconds(5)).scheduler(clock)
                .executor(executor).contextCarrier(carrier).build();
        assertThat(limiter.tryAcquire()).isTrue();
        Thread waiter = new Thread(() -> ThreadLocalCarrier.as("blocked", () -> {
            try {
                limiter.call(() -> "ran");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
        waiter.start();
        await().until(() -> limiter.waiting() == 1);
        assertThat(carrier.events).containsExactly("blocked captured", "blocked waiting");

        limiter.release();
        waiter.join(10_000);

        assertThat(waiter.isAlive()).isFalse();
        assertThat(carrier.events).containsExactly("blocked captured", "blocked waiting", "blocked done:null");
    }

    @Test
    void aMonoDisposedWhileWaitingReportsTheWaitAndItsEndOnce() {
        JobLimiter limiter = JobLimiter.builder("ctx").limit(0).maxWait(Duration.ofSeconds(1)).scheduler(clock)
                .executor(executor).contextCarrier(carrier).build();
        Disposable[] subscription = new Disposable[1];
        ThreadLocalCarrier.as("waiter", () -> subscription[0] = ReactorLimit
                .mono(limiter, () -> Mono.just("never")).subscribe());
        subscription[0].dispose();
        clock.advance(1, TimeUnit.SECONDS);

        assertThat(carrier.events).containsExactly("waiter captured", "waiter waiting",
                "waiter done:CancellationException");
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void batchCompletesEachCallerInItsContextAndRunsTheOperationInTheRunContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Map<String, Object> run = new ConcurrentHashMap<>();
        ThreadLocalCarrier runCarrier = new ThreadLocalCarrier();
        Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("ctx", (key, columns) -> {
                    seen.add("operation:" + ThreadLocalCarrier.CURRENT.get());
                    return CompletableFuture.completedFuture(columns.get(0));
                })
                .config(BatchConfig.builder().targetBatchSize(3).maxWaitingTime(Duration.ofSeconds(1)).build())
                .scheduler(clock).executor(executor).contextCarrier(carrier)
                .runContext((reason, rows, callers) -> {
                    run.put("reason", reason);
                    run.put("rows", rows);
                    run.put("callers", callers.size());
                    return runCarrier.captureOf("batch");
                }).build();
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (String caller : List.of("a", "b", "c")) {
            ThreadLocalCarrier.as(caller, () -> calls.add(batcher.submit(List.of(caller.charAt(0) - 'a'))));
            calls.get(calls.size() - 1).whenComplete((value, error) ->
                    seen.add("completion:" + value + ":" + ThreadLocalCarrier.CURRENT.get()));
        }

        ThreadLocalCarrier.as("runner", executor::runAll);

        assertThat(run).containsEntry("reason", FlushReason.SIZE).containsEntry("rows", 3).containsEntry("callers", 3);
        assertThat(seen).containsExactly("operation:batch", "completion:[0]:a", "completion:[1]:b",
                "completion:[2]:c");
        assertThat(runCarrier.ended).as("the run's end, once").containsExactly("batch:null");
        assertThat(carrier.ended).containsExactlyInAnyOrder("a:null", "b:null", "c:null");
        batcher.close();
    }

    /** Queues tasks; the test runs them on its own thread, with whatever context it chooses. */
    private static final class QueuedTasks implements Executor {

        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }
}
