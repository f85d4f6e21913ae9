package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.ReactorLimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A permit belongs to an operation until the operation has ended, including its cancellation: no
 * other call may get the permit while the cancelled operation is still running its cancel handler.
 * The stress tests find a breach of this statistically; these tests pin it down deterministically.
 */
class LimiterReleaseOrderTest {

    @Test
    void disposedMonoKeepsItsPermitUntilItsOwnCancellationHasRun() {
        JobLimiter limiter = JobLimiter.of("release-order-mono", 1);
        AtomicReference<Boolean> otherCallAdmitted = new AtomicReference<>();
        Disposable subscription = ReactorLimit.mono(limiter, () -> Mono.<String>create(sink -> sink.onCancel(() -> {
            // Still cancelling: the permit must still be ours.
            boolean admitted = limiter.tryAcquire();
            if (admitted) {
                limiter.release();
            }
            otherCallAdmitted.set(admitted);
        }))).subscribe();

        subscription.dispose();

        assertThat(otherCallAdmitted.get()).as("another call was admitted during the cancellation").isFalse();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(1);
    }

    @Test
    void cancelledFutureKeepsItsPermitUntilItsOwnCancellationHasRun() {
        JobLimiter limiter = JobLimiter.of("release-order-future", 1);
        AtomicReference<Boolean> otherCallAdmitted = new AtomicReference<>();
        CompletableFuture<String> operation = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean admitted = limiter.tryAcquire();
                if (admitted) {
                    limiter.release();
                }
                otherCallAdmitted.set(admitted);
                return super.cancel(mayInterruptIfRunning);
            }
        };

        limiter.executeAsync(() -> operation).cancel(true);

        assertThat(otherCallAdmitted.get()).as("another call was admitted during the cancellation").isFalse();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.available()).isEqualTo(1);
    }
}
