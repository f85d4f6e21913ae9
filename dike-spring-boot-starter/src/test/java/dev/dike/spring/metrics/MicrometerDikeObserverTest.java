package dev.dike.spring.metrics;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchConfig;
import dev.dike.batch.BatchListener;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.LimitListener;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters each listener event feeds, checked event by event on a {@link SimpleMeterRegistry}. */
class MicrometerDikeObserverTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerDikeObserver observer = new MicrometerDikeObserver(registry);

    @Test
    void registersEveryRetryOutcomeWithZero() {
        observer.retryListener("payments");

        for (String outcome : List.of("success_without_retry", "success_with_retry", "failure_without_retry",
                "failure_with_retry", "ignored")) {
            assertThat(retryCalls("payments", outcome)).as(outcome).isZero();
        }
        assertThat(registry.get("dike.retry.attempts").tag("name", "payments").counter().count()).isZero();
    }

    @Test
    void countsRetryCallsByOutcomeAndEveryScheduledRetry() {
        RetryListener listener = observer.retryListener("payments");

        listener.onRetryScheduled("payments", 1, new IllegalStateException(), Duration.ofMillis(10));
        listener.onRetryScheduled("payments", 2, new IllegalStateException(), Duration.ofMillis(20));
        listener.onCompleted("payments", RetryOutcome.SUCCESS_WITH_RETRY, 3, null);
        listener.onCompleted("payments", RetryOutcome.SUCCESS_WITHOUT_RETRY, 1, null);
        listener.onCompleted("payments", RetryOutcome.SUCCESS_WITHOUT_RETRY, 1, null);
        listener.onCompleted("payments", RetryOutcome.IGNORED, 1, new IllegalArgumentException());

        assertThat(retryCalls("payments", "success_with_retry")).isEqualTo(1);
        assertThat(retryCalls("payments", "success_without_retry")).isEqualTo(2);
        assertThat(retryCalls("payments", "ignored")).isEqualTo(1);
        assertThat(retryCalls("payments", "failure_with_retry")).isZero();
        assertThat(registry.get("dike.retry.attempts").tag("name", "payments").counter().count()).isEqualTo(2);
    }

    @Test
    void keepsTheMetersOfEachNameApart() {
        observer.retryListener("a").onCompleted("a", RetryOutcome.IGNORED, 1, null);
        observer.retryListener("b");

        assertThat(retryCalls("a", "ignored")).isEqualTo(1);
        assertThat(retryCalls("b", "ignored")).isZero();
    }

    @Test
    void countsLimiterDecisionsAndTimesTheirWait() {
        LimitListener listener = observer.limitListener("orders");
        assertThat(limitCalls("orders", "permitted")).isZero();
        assertThat(limitCalls("orders", "rejected")).isZero();

        listener.onPermitted("orders", 0);
        listener.onPermitted("orders", TimeUnit.MILLISECONDS.toNanos(30));
        listener.onRejected("orders", TimeUnit.MILLISECONDS.toNanos(100));

        assertThat(limitCalls("orders", "permitted")).isEqualTo(2);
        assertThat(limitCalls("orders", "rejected")).isEqualTo(1);
        var permittedWait = registry.get("dike.limit.wait").tags("name", "orders", "outcome", "permitted").timer();
        assertThat(permittedWait.count()).isEqualTo(2);
        assertThat(permittedWait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(30.0);
        var rejectedWait = registry.get("dike.limit.wait").tags("name", "orders", "outcome", "rejected").timer();
        assertThat(rejectedWait.count()).isEqualTo(1);
        assertThat(rejectedWait.max(TimeUnit.MILLISECONDS)).isEqualTo(100.0);
    }

    @Test
    void gaugesReadTheLimitersLimit() {
        JobLimiter limiter = JobLimiter.builder("orders").limit(7).listener(observer.limitListener("orders")).build();
        observer.limiterCreated(limiter);

        assertThat(registry.get("dike.limit.limit").tag("name", "orders").gauge().value()).isEqualTo(7.0);
        assertThat(registry.find("dike.limit.active").tag("name", "orders").gauge()).isNotNull();
        assertThat(registry.find("dike.limit.waiting").tag("name", "orders").gauge()).isNotNull();
    }

    @Test
    void recordsBatchSizesFlushesTimesAndCallOutcomes() {
        BatchListener listener = observer.batchListener("lookup");
        for (String reason : List.of("size", "time", "close")) {
            assertThat(flushes("lookup", reason)).as(reason).isZero();
        }
        for (String outcome : List.of("success", "failure", "timeout", "cancelled", "rejected")) {
            assertThat(batchCalls("lookup", outcome)).as(outcome).isZero();
        }

        listener.onBatchStarted("lookup", FlushReason.SIZE, 12, 3, TimeUnit.MILLISECONDS.toNanos(4));
        listener.onBatchStarted("lookup", FlushReason.TIME, 2, 1, TimeUnit.MILLISECONDS.toNanos(10));
        listener.onBatchCompleted("lookup", 12, TimeUnit.MILLISECONDS.toNanos(50), null);
        listener.onBatchCompleted("lookup", 2, TimeUnit.MILLISECONDS.toNanos(70), new IllegalStateException());
        for (int i = 0; i < 3; i++) {
            listener.onCallCompleted("lookup", BatchCallOutcome.SUCCESS);
        }
        listener.onCallCompleted("lookup", BatchCallOutcome.FAILURE);

        var size = registry.get("dike.batch.size").tag("name", "lookup").summary();
        assertThat(size.count()).isEqualTo(2);
        assertThat(size.totalAmount()).isEqualTo(14.0);
        assertThat(size.max()).isEqualTo(12.0);
        assertThat(flushes("lookup", "size")).isEqualTo(1);
        assertThat(flushes("lookup", "time")).isEqualTo(1);
        assertThat(flushes("lookup", "close")).isZero();
        var wait = registry.get("dike.batch.wait").tag("name", "lookup").timer();
        assertThat(wait.count()).isEqualTo(2);
        assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(14.0);
        var processing = registry.get("dike.batch.processing").tag("name", "lookup").timer();
        assertThat(processing.count()).isEqualTo(2);
        assertThat(processing.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(120.0);
        assertThat(batchCalls("lookup", "success")).isEqualTo(3);
        assertThat(batchCalls("lookup", "failure")).isEqualTo(1);
    }

    @Test
    void gaugesTheBatchersQueuedRows() {
        Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("lookup",
                        (key, columns) -> CompletableFuture.completedFuture(columns.get(0)))
                .config(BatchConfig.builder().targetBatchSize(10).build())
                .listener(observer.batchListener("lookup"))
                .build();
        observer.batcherCreated(batcher);

        assertThat(registry.find("dike.batch.queued").tag("name", "lookup").gauge()).isNotNull();
    }

    @Test
    void describesEveryMeterAndGivesSizesABaseUnit() {
        observer.retryListener("r");
        observer.limitListener("l");
        observer.limiterCreated(JobLimiter.of("l", 1));
        observer.batchListener("b");

        assertThat(registry.getMeters()).allSatisfy(meter ->
                assertThat(meter.getId().getDescription()).as(meter.getId().toString()).isNotBlank());
        assertThat(registry.get("dike.batch.size").summary().getId().getBaseUnit()).isEqualTo("rows");
        assertThat(registry.getMeters()).extracting(meter -> meter.getId().getTag("name"))
                .containsOnly("r", "l", "b");
    }

    @Test
    void closeRemovesEveryMeterItRegistered() {
        observer.retryListener("r");
        observer.limitListener("l");
        observer.limiterCreated(JobLimiter.of("l", 1));
        observer.batchListener("b");
        Meter unrelated = registry.counter("unrelated");

        observer.close();

        assertThat(registry.getMeters()).containsExactly(unrelated);
    }

    private double retryCalls(String name, String outcome) {
        return registry.get("dike.retry.calls").tags("name", name, "outcome", outcome).counter().count();
    }

    private double limitCalls(String name, String outcome) {
        return registry.get("dike.limit.calls").tags("name", name, "outcome", outcome).counter().count();
    }

    private double flushes(String name, String reason) {
        return registry.get("dike.batch.flushes").tags("name", name, "reason", reason).counter().count();
    }

    private double batchCalls(String name, String outcome) {
        return registry.get("dike.batch.calls").tags("name", name, "outcome", outcome).counter().count();
    }
}
