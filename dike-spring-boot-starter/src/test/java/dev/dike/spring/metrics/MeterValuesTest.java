package dev.dike.spring.metrics;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeRegistry;
import dev.dike.time.DelayScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    private double gauge(String meter, String name) {
        return meters.get(meter).tag("name", name).gauge().value();
    }

    private double calls(String meter, String name, String outcome) {
        return meters.get(meter).tags("name", name, "outcome", outcome).counter().count();
    }
}
