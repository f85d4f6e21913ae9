package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Closing the application context while calls are queued in a {@code @Batch}, running in a
 * {@code @Batch} whose operation never answers, in flight or waiting in a {@code @LimitJobs}, or
 * between two attempts of a {@code @Retry}: every pending caller completes, with its result or a
 * clear exception, within the instance's maxProcessingTime (or maxWait, or retry delays), and
 * closing never hangs. Calls after the close fail clearly instead of waiting forever.
 */
@Tag("stress")
class ShutdownTest {

    private static final int QUEUED_CALLERS = 50;

    @Test
    void closingTheContextCompletesEveryPendingCaller() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ShutdownApplication.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false).run();
        Backend backend = context.getBean(Backend.class);
        DikeRegistry registry = context.getBean(DikeRegistry.class);

        // @Batch: callers queued (target and waiting time far away), async and one blocked thread.
        List<CompletableFuture<List<Integer>>> queued = new ArrayList<>();
        for (int i = 0; i < QUEUED_CALLERS; i++) {
            queued.add(backend.doubled(List.of(i, i + 1000)));
        }
        CompletableFuture<List<Integer>> blockedCaller = CompletableFuture.supplyAsync(
                () -> backend.doubledBlocking(List.of(7)), Executors.newSingleThreadExecutor(daemon("blocked-caller")));
        List<CompletableFuture<List<Integer>>> stuck = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stuck.add(backend.neverAnswers(List.of(i)));
        }
        // @LimitJobs: two in flight (their work answers only when the test says so), one waiting.
        List<CompletableFuture<String>> limited = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            limited.add(backend.limited("job-" + i));
        }
        // @Retry: the first attempt failed; the second waits for a 1 s delay.
        CompletableFuture<String> retried = backend.flaky();
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.batchCallsQueued(registry) == QUEUED_CALLERS + 11
                && registry.findLimiter("held").orElseThrow().waiting() == 1 && backend.flakyAttempts() >= 1);

        long closing = System.nanoTime();
        context.close();
        long closeMillis = (System.nanoTime() - closing) / 1_000_000;

        // Batches are flushed by the close and waited for: their callers are answered when close() returns.
        for (int i = 0; i < QUEUED_CALLERS; i++) {
            assertThat(queued.get(i)).isCompletedWithValue(List.of(2 * i, 2 * (i + 1000)));
        }
        assertThat(blockedCaller.get(5, TimeUnit.SECONDS)).containsExactly(14);
        for (CompletableFuture<List<Integer>> caller : stuck) {
            assertThat(caller).isCompletedExceptionally();
            assertThat(cause(caller)).isInstanceOf(TimeoutException.class).hasMessageContaining("neverAnswers")
                    .hasMessageContaining("500ms");
        }
        assertThat(closeMillis).as("close() waited for the stuck batch's maxProcessingTime, not longer")
                .isBetween(400L, 10_000L);

        // Limits and retries do not own their operations: those end by themselves, and so do their callers.
        backend.finishJobs(3);
        CompletableFuture.allOf(limited.toArray(CompletableFuture[]::new)).exceptionally(error -> null)
                .get(10, TimeUnit.SECONDS);
        assertThat(limited.get(0).get()).isEqualTo("job-0 done");
        assertThat(limited.get(1).get()).isEqualTo("job-1 done");
        assertThat(limited.get(2).get()).as("the waiter got the permit of a finished job").isEqualTo("job-2 done");
        assertThat(retried.get(5, TimeUnit.SECONDS)).isEqualTo("second attempt");

        // After the close, a batch call fails at once and clearly.
        CompletableFuture<List<Integer>> late = backend.doubled(List.of(1));
        assertThat(late).isCompletedExceptionally();
        assertThat(cause(late)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        System.out.printf("RELIABILITY shutdown: queuedBatchCallers=%d answered, blockedBatchCaller=1 answered, "
                        + "stuckBatchCallers=10 timed out, limitCallers=3 answered (2 in flight, 1 waiting), "
                        + "retryCaller=1 answered after close, lateCall rejected | close took %d ms%n", QUEUED_CALLERS,
                closeMillis);
    }

    private static Throwable cause(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({AopAutoConfiguration.class, DikeAutoConfiguration.class})
    static class ShutdownApplication {

        @Bean
        Backend backend() {
            return new Backend();
        }
    }

    /** Annotated methods whose calls are left pending when the context closes. */
    public static class Backend {

        private final AtomicInteger flakyAttempts = new AtomicInteger();
        private final BlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();

        @Batch(name = "doubled", targetBatchSize = 1000, maxWaitingTime = "1h", maxProcessingTime = "5s")
        public CompletableFuture<List<Integer>> doubled(List<Integer> values) {
            return CompletableFuture.completedFuture(values.stream().map(value -> 2 * value).toList());
        }

        @Batch(name = "doubledBlocking", targetBatchSize = 1000, maxWaitingTime = "1h", maxProcessingTime = "5s")
        public List<Integer> doubledBlocking(List<Integer> values) {
            return values.stream().map(value -> 2 * value).toList();
        }

        @Batch(name = "neverAnswers", targetBatchSize = 1000, maxWaitingTime = "1h", maxProcessingTime = "500ms")
        public CompletableFuture<List<Integer>> neverAnswers(List<Integer> values) {
            return new CompletableFuture<>();
        }

        @LimitJobs(name = "held", limit = 2, maxWait = "10s")
        public CompletableFuture<String> limited(String job) {
            CompletableFuture<String> result = new CompletableFuture<>();
            jobs.add(() -> result.complete(job + " done"));
            return result;
        }

        /** Finishes {@code count} limited jobs, waiting (boundedly) for each to have started. */
        public void finishJobs(int count) throws InterruptedException {
            for (int i = 0; i < count; i++) {
                Runnable job = jobs.poll(10, TimeUnit.SECONDS);
                assertThat(job).as("limited job %d started", i).isNotNull();
                job.run();
            }
        }

        @Retry(name = "flaky", attempts = 3, delay = "1s")
        public CompletableFuture<String> flaky() {
            if (flakyAttempts.incrementAndGet() == 1) {
                return CompletableFuture.failedFuture(new IllegalStateException("first attempt fails"));
            }
            return CompletableFuture.completedFuture("second attempt");
        }

        // Read through methods: the bean is a proxy, whose own fields are not the target's.
        public int flakyAttempts() {
            return flakyAttempts.get();
        }

        public int batchCallsQueued(DikeRegistry registry) {
            return registry.batchers().values().stream().mapToInt(batcher -> batcher.queuedCalls()).sum();
        }

    }
}
