package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryRulesTest {

    private static RetryRules rules(RetryConfig.Builder config, double random) {
        return new RetryRules(config.build(), () -> random);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void delayGrowsByBackoffFromTheFirstRetry() {
        RetryRules rules = rules(RetryConfig.builder().delay(Duration.ofMillis(10)).backoff(2), 0.5);

        assertThat(rules.delayNanos(1)).isEqualTo(ms(10));
        assertThat(rules.delayNanos(2)).isEqualTo(ms(20));
        assertThat(rules.delayNanos(3)).isEqualTo(ms(40));
    }

    @Test
    void zeroDelayStaysZeroEvenWhenBackoffOverflows() {
        RetryRules rules = rules(RetryConfig.builder().backoff(1e300), 0.5);

        assertThat(rules.delayNanos(1)).isZero();
        assertThat(rules.delayNanos(1_000_000)).isZero();
    }

    @Test
    void maxDelayCapsTheDelayBeforeJitter() {
        RetryRules rules = rules(RetryConfig.builder().delay(Duration.ofSeconds(1)).backoff(10)
                .maxDelay(Duration.ofSeconds(5)).jitter(0.2), 0.0);

        assertThat(rules.delayNanos(1)).isEqualTo(ms(800));
        assertThat(rules.delayNanos(2)).isEqualTo(ms(4000)); // capped to 5 s, then minus 20 %
        assertThat(rules.delayNanos(3)).isEqualTo(ms(4000));
    }

    @Test
    void hugeBackoffSaturatesInsteadOfOverflowing() {
        RetryRules unbounded = rules(RetryConfig.builder().attempts(-1).delay(Duration.ofSeconds(1)).backoff(1e300), 0.5);
        RetryRules bounded = rules(RetryConfig.builder().attempts(-1).delay(Duration.ofSeconds(1)).backoff(1e300)
                .maxDelay(Duration.ofHours(1)), 0.5);

        assertThat(unbounded.delayNanos(2)).isEqualTo(Long.MAX_VALUE);
        assertThat(unbounded.delayNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(bounded.delayNanos(3)).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(bounded.delayNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1).toNanos());
    }

    @Test
    void durationsBeyondLongNanosDoNotOverflow() {
        RetryRules rules = rules(RetryConfig.builder().delay(Duration.ofDays(365L * 1000)), 0.5);

        assertThat(rules.delayNanos(1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void jitterSpreadsTheDelayBetweenItsBounds() {
        RetryConfig.Builder config = RetryConfig.builder().delay(Duration.ofMillis(100)).jitter(0.25);

        assertThat(rules(config, 0.0).delayNanos(1)).isEqualTo(ms(75));
        assertThat(rules(config, 0.5).delayNanos(1)).isEqualTo(ms(100));
        assertThat(rules(config, Math.nextDown(1.0)).delayNanos(1)).isBetween(ms(125) - 1, ms(125));
    }

    @Test
    void fullJitterCanReachZero() {
        RetryRules rules = rules(RetryConfig.builder().delay(Duration.ofMillis(100)).jitter(1.0), 0.0);

        assertThat(rules.delayNanos(1)).isZero();
    }

    @Test
    void retriesOnlyUntilTheAttemptsAreUsedUp() {
        RetryRules three = rules(RetryConfig.builder().attempts(3), 0.5);
        RetryRules one = rules(RetryConfig.builder().attempts(1), 0.5);
        RetryRules unlimited = rules(RetryConfig.builder().attempts(-1), 0.5);
        RuntimeException error = new RuntimeException();

        assertThat(three.mayRetry(error, 1)).isTrue();
        assertThat(three.mayRetry(error, 2)).isTrue();
        assertThat(three.mayRetry(error, 3)).isFalse();
        assertThat(one.mayRetry(error, 1)).isFalse();
        assertThat(unlimited.mayRetry(error, Integer.MAX_VALUE)).isTrue();
    }

    @Test
    void matchesConfiguredTypesAndSubtypes() {
        RetryRules rules = rules(RetryConfig.builder().exceptionTypes(List.of(IOException.class)), 0.5);

        assertThat(rules.isRetryable(new IOException())).isTrue();
        assertThat(rules.isRetryable(new java.io.FileNotFoundException())).isTrue();
        assertThat(rules.isRetryable(new IllegalStateException())).isFalse();
        assertThat(rules.isRetryable(new UncheckedIOException(new IOException()))).isFalse();
    }

    @Test
    void ignoredTypesWinOverRetriedTypes() {
        RetryRules rules = rules(RetryConfig.builder().exceptionTypes(List.of(Exception.class))
                .ignoredExceptionTypes(List.of(IllegalArgumentException.class)), 0.5);

        assertThat(rules.isRetryable(new IllegalStateException())).isTrue();
        assertThat(rules.isRetryable(new IllegalArgumentException())).isFalse();
        assertThat(rules.isRetryable(new NumberFormatException())).isFalse();
    }

    @Test
    void cancellationInterruptionAndErrorsAreNeverRetried() {
        RetryRules rules = rules(RetryConfig.builder().exceptionTypes(List.of(Throwable.class)), 0.5);

        assertThat(rules.isRetryable(new CancellationException())).isFalse();
        assertThat(rules.isRetryable(new InterruptedException())).isFalse();
        assertThat(rules.isRetryable(new AssertionError())).isFalse();
        assertThat(rules.isRetryable(new OutOfMemoryError())).isFalse();
        assertThat(rules.isRetryable(new Throwable())).isTrue();
    }

    @Test
    void unwrapsEveryCompletionAndExecutionLayer() {
        IOException original = new IOException("boom");

        assertThat(RetryRules.unwrap(original)).isSameAs(original);
        assertThat(RetryRules.unwrap(new CompletionException(original))).isSameAs(original);
        assertThat(RetryRules.unwrap(new ExecutionException(new CompletionException(new ExecutionException(original)))))
                .isSameAs(original);
        CompletionException withoutCause = new CompletionException("no cause", null);
        assertThat(RetryRules.unwrap(withoutCause)).isSameAs(withoutCause);
        RuntimeException notUnwrapped = new RuntimeException(original);
        assertThat(RetryRules.unwrap(notUnwrapped)).isSameAs(notUnwrapped);
    }

    @Test
    void outcomeOfAFailureDependsOnRetriesAndKind() {
        RetryRules rules = rules(RetryConfig.builder().ignoredExceptionTypes(List.of(IllegalArgumentException.class)), 0.5);

        assertThat(rules.failureOutcome(new IllegalStateException(), 1)).isEqualTo(RetryOutcome.FAILURE_WITHOUT_RETRY);
        assertThat(rules.failureOutcome(new IllegalArgumentException(), 1)).isEqualTo(RetryOutcome.IGNORED);
        assertThat(rules.failureOutcome(new CancellationException(), 1)).isEqualTo(RetryOutcome.IGNORED);
        assertThat(rules.failureOutcome(new IllegalArgumentException(), 2)).isEqualTo(RetryOutcome.FAILURE_WITH_RETRY);
        assertThat(rules.failureOutcome(new IllegalStateException(), 3)).isEqualTo(RetryOutcome.FAILURE_WITH_RETRY);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "10000000, 0.01",
            "2500000000, 2.5",
            "123400000, 0.123",
            "123500000, 0.124",
            "1, 0.000000001",
            "999999999, 1",
            "120000000000, 120",
            "123456000000, 123",
            "123456000000000, 123000"})
    void formatsDelaysWithThreeSignificantDigits(long nanos, String seconds) {
        assertThat(RetryEvents.seconds(nanos)).isEqualTo(seconds);
    }
}
