package dev.dike.spring.metrics;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeRegistry;
import dev.dike.time.DelayScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Meter values after known calls through real instances created by the {@link DikeRegistry}. */
class MeterValuesTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MicrometerDikeObserver observer = new MicrometerDikeObserver(meters);
    private final DikeRegistry registry = new DikeRegistry(List.of(observer), DelayScheduler.system(), null);

    @AfterEach
    void close() {
        registry.close();
        observer.close();
    }

    @Test
    void limiterCountsPermitsAndRejectionsAndGaugesItsState() {
        JobLimiter limiter = registry.limiter("orders", 2, Duration.ZERO);
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();

        limiter.executeAsync(() -> first);
        limiter.executeAsync(() -> second);
        CompletableFuture<Object> third = limiter.executeAsync(() -> CompletableFuture.completedFuture("x"));

        assertThatThrownBy(third::join).hasCauseInstanceOf(TooManyCallsException.class);
        assertThat(gauge("dike.limit.active", "orders")).isEqualTo(2.0);
        assertThat(gauge("dike.limit.limit", "orders")).isEqualTo(2.0);
        assertThat(calls("dike.limit.calls", "orders", "permitted")).isEqualTo(2);
        assertThat(calls("dike.limit.calls", "orders", "rejected")).isEqualTo(1);

        first.complete("done");
        limiter.setLimit(5);

        assertThat(gauge("dike.limit.active", "orders")).isEqualTo(1.0);
        assertThat(gauge("dike.limit.limit", "orders")).isEqualTo(5.0);
        var permittedWait = meters.get("dike.limit.wait").tags("name", "orders", "outcome", "permitted").timer();
        assertThat(permittedWait.count()).isEqualTo(2);
        assertThat(permittedWait.totalTime(TimeUnit.NANOSECONDS)).isZero();
        second.complete("done");
        assertThat(gauge("dike.limit.active", "orders")).isZero();
    }

    @Test
    void limiterGaugesCallsWaitingForAPermit() {
        JobLimiter limiter = registry.limiter("slow", 1, Duration.ofHours(1));
        CompletableFuture<String> holder = new CompletableFuture<>();
        limiter.executeAsync(() -> holder);

        CompletableFuture<String> waiter = limiter.executeAsync(() -> CompletableFuture.completedFuture("late"));

        assertThat(gauge("dike.limit.waiting", "slow")).isEqualTo(1.0);
        assertThat(calls("dike.limit.calls", "slow", "permitted")).isEqualTo(1);
        holder.complete("done");
        assertThat(waiter.join()).isEqualTo("late");
        assertThat(gauge("dike.limit.waiting", "slow")).isZero();
        assertThat(calls("dike.limit.calls", "slow", "permitted")).isEqualTo(2);
        assertThat(meters.get("dike.limit.wait").tags("name", "slow", "outcome", "permitted").timer().count())
                .isEqualTo(2);
    }

    @Test
    void retrierCountsCallsByOutcomeAndEveryRetry() throws Exception {
        Retrier retrier = registry.retrier("payments", RetryConfig.builder().attempts(3)
                .ignoredExceptionTypes(List.of(IllegalArgumentException.class)).logExceptionInfo(false).build());
        AtomicInteger attempts = new AtomicInteger();

        String result = retrier.call(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky " + attempts.get());
            }
            return "paid";
        });
        assertThatThrownBy(() -> retrier.call(() -> {
            throw new IllegalStateException("down");
        })).hasMessage("down");
        assertThatThrownBy(() -> retrier.call(() -> {
            throw new IllegalArgumentException("bad input");
        })).hasMessage("bad input");
        CompletableFuture<String> async = retrier.executeAsync(() -> CompletableFuture.completedFuture("fast"));

        assertThat(result).isEqualTo("paid");
        assertThat(async.join()).isEqualTo("fast");
        // The listener hears of a call just after its caller does.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(calls("dike.retry.calls", "payments", "success_without_retry")).isEqualTo(1));
        assertThat(calls("dike.retry.calls", "payments", "success_with_retry")).isEqualTo(1);
        assertThat(calls("dike.retry.calls", "payments", "failure_with_retry")).isEqualTo(1);
        assertThat(calls("dike.retry.calls", "payments", "ignored")).isEqualTo(1);
        assertThat(calls("dike.retry.calls", "payments", "failure_without_retry")).isZero();
        // 2 retries for the flaky call, 2 for the one that is down; none for the others.
        assertThat(meters.get("dike.retry.attempts").tag("name", "payments").counter().count()).isEqualTo(4);
    }

    @Test
    void batcherRecordsSizesFlushesQueueAndCallOutcomes() {
        Batcher<Integer, Integer> batcher = registry.batcher("lookup",
                BatchConfig.builder().targetBatchSize(3).maxWaitingTime(Duration.ofHours(1)).build(),
                (key, columns) -> CompletableFuture.completedFuture(columns.get(0)));

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1, 2));
        assertThat(gauge("dike.batch.queued", "lookup")).isEqualTo(2.0);
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(3));
        CompletableFuture<List<Integer>> cancelled = batcher.submit(List.of(4));
        cancelled.cancel(false);
        CompletableFuture<List<Integer>> invalid = batcher.submit(List.of(5), List.of(5, 6));
        CompletableFuture<List<Integer>> last = batcher.submit(List.of(7));
        batcher.close();

        assertThat(first.join()).containsExactly(1, 2);
        assertThat(second.join()).containsExactly(3);
        assertThat(last.join()).containsExactly(7);
        assertThat(invalid).isCompletedExceptionally();
        // The listener hears of a call just after its caller does.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(calls("dike.batch.calls", "lookup", "success")).isEqualTo(3);
            assertThat(meters.get("dike.batch.processing").tag("name", "lookup").timer().count()).isEqualTo(2);
            assertThat(calls("dike.batch.calls", "lookup", "cancelled")).isEqualTo(1);
            assertThat(calls("dike.batch.calls", "lookup", "rejected")).isEqualTo(1);
        });
        assertThat(calls("dike.batch.calls", "lookup", "failure")).isZero();
        assertThat(flushes("lookup", "size")).isEqualTo(1);
        assertThat(flushes("lookup", "close")).isEqualTo(1);
        assertThat(flushes("lookup", "time")).isZero();
        var size = meters.get("dike.batch.size").tag("name", "lookup").summary();
        assertThat(size.count()).isEqualTo(2);
        assertThat(size.totalAmount()).isEqualTo(4.0);
        assertThat(size.max()).isEqualTo(3.0);
        assertThat(meters.get("dike.batch.wait").tag("name", "lookup").timer().count()).isEqualTo(2);
        assertThat(gauge("dike.batch.queued", "lookup")).isZero();
    }

    @Test
    void batcherCountsEveryCallerOfAFailedBatch() {
        Batcher<Integer, Integer> batcher = registry.batcher("broken",
                BatchConfig.builder().targetBatchSize(2).maxWaitingTime(Duration.ofHours(1)).build(),
                (key, columns) -> CompletableFuture.failedFuture(new IllegalStateException("backend down")));

        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));

        assertThatThrownBy(first::join).hasRootCauseMessage("backend down");
        assertThatThrownBy(second::join).hasRootCauseMessage("backend down");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(calls("dike.batch.calls", "broken", "failure")).isEqualTo(2);
            assertThat(meters.get("dike.batch.processing").tag("name", "broken").timer().count()).isEqualTo(1);
        });
        assertThat(calls("dike.batch.calls", "broken", "success")).isZero();
    }

    private double flushes(String name, String reason) {
        return meters.get("dike.batch.flushes").tags("name", name, "reason", reason).counter().count();
    }

    private double gauge(String meter, String name) {
        return meters.get(meter).tag("name", name).gauge().value();
    }

    private double calls(String meter, String name, String outcome) {
        return meters.get(meter).tags("name", name, "outcome", outcome).counter().count();
    }
}
