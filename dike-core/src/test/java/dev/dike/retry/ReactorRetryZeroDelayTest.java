package dev.dike.retry;

import static dev.dike.retry.RetrierZeroDelayTest.FAILURE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * {@link ReactorRetry} with a zero delay: the next attempt is subscribed at once on the thread that
 * signalled the failure, never through the scheduler or the executor, and attempts that fail
 * synchronously do not nest.
 */
class ReactorRetryZeroDelayTest extends RetryFixture {

    private static final int DEEP = 100_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final UnusableHandOffs unusable = new UnusableHandOffs();

    ReactorRetryZeroDelayTest() {
        super("reactive");
    }

    @Test
    void zeroDelayRetriesUseNeitherTheSchedulerNorTheExecutor() {
        AtomicInteger monoCalls = new AtomicInteger();
        AtomicInteger fluxCalls = new AtomicInteger();
        Retrier retrier = unusable.retrier("reactive", RetryConfig.builder().attempts(3), listener);

        String mono = ReactorRetry.mono(retrier, () -> monoCalls.incrementAndGet() < 3
                ? Mono.error(new IllegalStateException("fail " + monoCalls)) : Mono.just("ok")).block(TIMEOUT);
        List<Integer> flux = ReactorRetry.flux(retrier, () -> fluxCalls.incrementAndGet() < 3
                ? Flux.just(1).concatWith(Flux.error(new IllegalStateException("broken"))) : Flux.just(1, 2))
                .collectList().block(TIMEOUT);

        assertThat(mono).isEqualTo("ok");
        assertThat(flux).containsExactly(1, 1, 1, 2);
        assertThat(unusable.uses).hasValue(0);
        assertThat(log.warnings()).hasSize(4).first()
                .isEqualTo("Caught exception java.lang.IllegalStateException: fail 1. Retrying in 0s ...");
        assertThat(listener.events).containsExactly("retry reactive #1 fail 1 in 0ns", "retry reactive #2 fail 2 in 0ns",
                "completed reactive SUCCESS_WITH_RETRY after 3", "retry reactive #1 broken in 0ns",
                "retry reactive #2 broken in 0ns", "completed reactive SUCCESS_WITH_RETRY after 3");
    }

    @Test
    void zeroDelayRetryIsSubscribedOnTheThreadThatSignalledTheFailure() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        List<String> threads = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> result = new CompletableFuture<>();
        Retrier retrier = unusable.retrier("reactive", RetryConfig.builder().attempts(2), listener);

        ReactorRetry.mono(retrier, () -> Mono.defer(() -> {
            threads.add(Thread.currentThread().getName());
            return calls.incrementAndGet() == 1 ? Mono.fromFuture(first) : Mono.just("ok");
        })).subscribe(result::complete, result::completeExceptionally);
        Thread signaller = new Thread(() -> first.completeExceptionally(FAILURE), "failure-signaller");
        signaller.start();
        signaller.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(result).isCompletedWithValue("ok");
        assertThat(threads).containsExactly(Thread.currentThread().getName(), "failure-signaller");
        assertThat(unusable.uses).hasValue(0);
    }

    @Test
    void manySynchronousMonoFailuresInARowDoNotOverflowTheStack() {
        AtomicInteger calls = new AtomicInteger();
        CountingListener counting = new CountingListener();
        Retrier retrier = unusable.retrier("deep", RetryConfig.builder().attempts(DEEP + 1), counting);

        String result;
        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            result = ReactorRetry.mono(retrier, () -> calls.incrementAndGet() <= DEEP ? Mono.<String>error(FAILURE)
                    : Mono.just("ok")).block(TIMEOUT);
        }

        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(DEEP + 1);
        assertThat(counting.retries.sum()).isEqualTo(DEEP);
        assertThat(counting.completed.sum()).isEqualTo(1);
        assertThat(unusable.uses).hasValue(0);
    }

    @Test
    void manySynchronousFluxFailuresInARowDoNotOverflowTheStack() {
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = unusable.retrier("deep", RetryConfig.builder().attempts(DEEP + 1), RetryListener.NONE);

        Long elements;
        try (RetryLogCapture.Silence quiet = RetryLogCapture.silence()) {
            elements = ReactorRetry.flux(retrier, () -> calls.incrementAndGet() <= DEEP
                    ? Flux.just(0).concatWith(Flux.error(FAILURE)) : Flux.just(1, 2)).count().block(TIMEOUT);
        }

        assertThat(elements).isEqualTo(DEEP + 2L);
        assertThat(calls).hasValue(DEEP + 1);
        assertThat(unusable.uses).hasValue(0);
    }

    @Test
    void disposingFromInsideAZeroDelayChainStopsIt() {
        AtomicInteger calls = new AtomicInteger();
        Recorder subscriber = new Recorder();
        Retrier retrier = unusable.retrier("reactive", RetryConfig.builder()
                .attempts(RetryConfig.UNLIMITED_ATTEMPTS), listener);

        ReactorRetry.flux(retrier, () -> {
            if (calls.incrementAndGet() == 50) {
                subscriber.dispose(); // the subscriber gives up while attempt 50 is being made
            }
            return Flux.<String>error(new IllegalStateException("fail " + calls));
        }).subscribe(subscriber);

        assertThat(calls).hasValue(50);
        assertThat(subscriber.signals).containsExactly(SignalType.CANCEL);
        assertThat(listener.events).hasSize(49).last().isEqualTo("retry reactive #49 fail 49 in 0ns");
        assertThat(unusable.uses).hasValue(0);
    }

    /** Records the terminal signals it gets. */
    private static final class Recorder extends BaseSubscriber<String> {
        final List<SignalType> signals = new ArrayList<>();

        @Override
        protected void hookOnError(Throwable throwable) {
            // recorded by hookFinally; the default would throw
        }

        @Override
        protected void hookFinally(SignalType type) {
            signals.add(type);
        }
    }
}
