package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class RetryConfigTest {

    @Test
    void defaultsMatchTheIssue() {
        RetryConfig defaults = RetryConfig.defaults();

        assertThat(defaults.attempts()).isEqualTo(3);
        assertThat(defaults.delay()).isZero();
        assertThat(defaults.backoff()).isEqualTo(1.0);
        assertThat(defaults.maxDelay()).isNull();
        assertThat(defaults.jitter()).isZero();
        assertThat(defaults.exceptionTypes()).containsExactly(Exception.class);
        assertThat(defaults.ignoredExceptionTypes()).isEmpty();
        assertThat(defaults.logExceptionInfo()).isTrue();
    }

    @Test
    void acceptsTheBoundaries() {
        RetryConfig config = RetryConfig.builder().attempts(-1).backoff(1).jitter(1).delay(Duration.ZERO)
                .maxDelay(Duration.ofNanos(1)).exceptionTypes(List.of(IOException.class)).build();

        assertThat(config.attempts()).isEqualTo(RetryConfig.UNLIMITED_ATTEMPTS);
        assertThat(RetryConfig.builder().attempts(1).jitter(0).build().attempts()).isEqualTo(1);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void rejectsZeroAttempts() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().attempts(0).build())
                .withMessageContaining("attempts").withMessageContaining("'0'");
    }

    @Test
    void rejectsAttemptsBelowMinusOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().attempts(-2).build())
                .withMessageContaining("attempts").withMessageContaining("'-2'");
    }

    @Test
    void rejectsNegativeDelay() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryConfig.builder().delay(Duration.ofMillis(-5)).build())
                .withMessageContaining("delay").withMessageContaining("PT-0.005S");
    }

    @Test
    void rejectsNanInfiniteAndShrinkingBackoff() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().backoff(Double.NaN).build())
                .withMessageContaining("backoff").withMessageContaining("'NaN'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryConfig.builder().backoff(Double.POSITIVE_INFINITY).build())
                .withMessageContaining("backoff").withMessageContaining("Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().backoff(0.5).build())
                .withMessageContaining("backoff").withMessageContaining("'0.5'");
    }

    @Test
    void rejectsJitterOutsideZeroToOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().jitter(1.5).build())
                .withMessageContaining("jitter").withMessageContaining("'1.5'");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().jitter(-0.1).build())
                .withMessageContaining("jitter").withMessageContaining("'-0.1'");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().jitter(Double.NaN).build())
                .withMessageContaining("jitter").withMessageContaining("'NaN'");
    }

    @Test
    void rejectsNonPositiveMaxDelay() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().maxDelay(Duration.ZERO).build())
                .withMessageContaining("maxDelay").withMessageContaining("PT0S");
    }

    @Test
    void rejectsEmptyExceptionTypes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryConfig.builder().exceptionTypes(List.of()).build())
                .withMessageContaining("exceptionTypes");
    }
}
