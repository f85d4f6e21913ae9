package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The original Python library's upstream retry cases, as recorded in dike-python-behaviour.md. */
class UpstreamRetryCasesTest extends RetryFixture {

    UpstreamRetryCasesTest() {
        super("upstream");
    }

    /** attempts=4, delay=10ms, backoff=2: waits 0.01, 0.02, 0.04 s. */
    private final RetryConfig.Builder fourAttempts = RetryConfig.builder().attempts(4).delay(Duration.ofMillis(10))
            .backoff(2);

    private static final List<String> FOUR_ATTEMPTS_LOG = List.of(
            "Caught exception java.lang.RuntimeException: Request failed!. Retrying in 0.01s ...",
            "Caught exception java.lang.RuntimeException: Request failed!. Retrying in 0.02s ...",
            "Caught exception java.lang.RuntimeException: Request failed!. Retrying in 0.04s ...");

    @Test
    void asyncBackoffDelaysAndLogLinesAndLastExceptionObject() {
        List<RuntimeException> raised = new ArrayList<>();
        List<Long> attemptTimes = new ArrayList<>();

        CompletableFuture<String> result = retrier(fourAttempts).executeAsync(() -> {
            attemptTimes.add(scheduler.nanoTime());
            RuntimeException error = new RuntimeException("Request failed!");
            raised.add(error);
            return CompletableFuture.failedFuture(error);
        });
        scheduler.advance(1, TimeUnit.SECONDS);

        assertThat(attemptTimes).containsExactly(0L, ms(10), ms(30), ms(70));
        assertThat(log.warnings()).isEqualTo(FOUR_ATTEMPTS_LOG);
        for (ILoggingEvent event : log.events()) {
            assertThat(event.getThrowableProxy().getClassName()).isEqualTo("java.lang.RuntimeException");
        }
        assertThat(result.handle((value, error) -> error).join()).isSameAs(raised.get(3));
    }

    @Test
    void syncBackoffDelaysAndLastExceptionObject() {
        List<RuntimeException> raised = new ArrayList<>();
        long start = System.nanoTime();

        assertThatThrownBy(() -> retrier(fourAttempts).call(() -> {
            RuntimeException error = new RuntimeException("Request failed!");
            raised.add(error);
            throw error;
        })).isSameAs(raised.get(3));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(ms(70));
        assertThat(log.warnings()).isEqualTo(FOUR_ATTEMPTS_LOG);
    }

    @Test
    void monoBackoffDelaysAndLastExceptionObject() {
        List<RuntimeException> raised = new ArrayList<>();
        Mono<String> mono = ReactorRetry.mono(retrier(fourAttempts), () -> {
            RuntimeException error = new RuntimeException("Request failed!");
            raised.add(error);
            return Mono.error(error);
        });

        StepVerifier.create(mono).then(() -> scheduler.advance(1, TimeUnit.SECONDS))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(raised.get(3)))
                .verify(Duration.ofSeconds(10));
        assertThat(log.warnings()).isEqualTo(FOUR_ATTEMPTS_LOG);
    }

    @Test
    void onlyTheGivenExceptionTypesAreRetried() {
        AtomicInteger calls = new AtomicInteger();
        Retrier ioOnly = retrier(RetryConfig.builder().attempts(3).exceptionTypes(List.of(IOException.class)));

        CompletableFuture<String> retried = ioOnly.executeAsync(() -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("io"));
        });
        scheduler.runDueTasks();
        assertThat(retried).isCompletedExceptionally();
        assertThat(calls).hasValue(3);

        calls.set(0);
        log.close();
        try (RetryLogCapture otherLog = new RetryLogCapture()) {
            CompletableFuture<String> notRetried = ioOnly.executeAsync(() -> {
                calls.incrementAndGet();
                return CompletableFuture.failedFuture(new IllegalArgumentException("other"));
            });
            assertThat(notRetried).isCompletedExceptionally();
            assertThat(calls).hasValue(1);
            assertThat(otherLog.events()).isEmpty();
        }
    }

    @Test
    void cancellationIsNeverRetried() {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(5).exceptionTypes(
                List.of(Exception.class))).executeAsync(() -> {
                    calls.incrementAndGet();
                    return CompletableFuture.failedFuture(new CancellationException("inner cancel"));
                });
        scheduler.runDueTasks();

        assertThat(calls).hasValue(1);
        assertThat(result).isCancelled();
        assertThat(log.events()).isEmpty();
    }

    @Test
    void cancelDuringTheDelayEndsTheRetryAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> result = retrier(fourAttempts).executeAsync(() -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new RuntimeException("Request failed!"));
        });
        assertThat(scheduler.pendingTasks()).isEqualTo(1);

        result.cancel(true);

        assertThat(result).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(1, TimeUnit.HOURS);
        assertThat(calls).hasValue(1);
    }

    @Test
    void everyAttemptGetsTheSameArguments() {
        List<List<Object>> seen = new ArrayList<>();

        CompletableFuture<String> result = retrier(RetryConfig.builder().attempts(3))
                .executeAsync(operationWithArguments(seen, "a", 1, List.of("x")));
        scheduler.runDueTasks();

        assertThat(result).isCompletedExceptionally();
        assertThat(seen).hasSize(3).containsOnly(List.of("a", 1, List.of("x")));
    }

    @Test
    void stateIsPerCallNeverShared() {
        Retrier shared = retrier(RetryConfig.builder().attempts(2).delay(Duration.ofMillis(10)));
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();

        CompletableFuture<String> one = shared.executeAsync(alwaysFailing(first));
        CompletableFuture<String> two = shared.executeAsync(alwaysFailing(second));
        scheduler.advance(1, TimeUnit.SECONDS);
        CompletableFuture<String> three = shared.executeAsync(alwaysFailing(first));
        scheduler.advance(1, TimeUnit.SECONDS);

        assertThat(List.of(one, two, three)).allSatisfy(result -> assertThat(result).isCompletedExceptionally());
        assertThat(first).hasValue(4);
        assertThat(second).hasValue(2);
    }

    private static Supplier<CompletionStage<String>> alwaysFailing(AtomicInteger calls) {
        return () -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new RuntimeException("Request failed!"));
        };
    }

    private static Supplier<CompletionStage<String>> operationWithArguments(List<List<Object>> seen, Object... args) {
        return () -> {
            seen.add(List.of(args));
            return CompletableFuture.failedFuture(new RuntimeException("Request failed!"));
        };
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
