package dev.dike.retry;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable settings of a {@link Retrier}. Every value is checked when {@link Builder#build()} runs;
 * an invalid value fails with an {@link IllegalArgumentException} that names the attribute and the
 * value.
 *
 * <p>Delay before retry {@code k} (k = 1, 2, ...) is {@code min(delay * backoff^(k-1), maxDelay)},
 * then randomized by plus or minus {@code jitter} (a fraction).
 */
public final class RetryConfig {

    /** Value of {@link #attempts()} meaning "retry until success or cancellation". */
    public static final int UNLIMITED_ATTEMPTS = -1;

    private static final RetryConfig DEFAULTS = new Builder().build();

    private final int attempts;
    private final Duration delay;
    private final double backoff;
    private final Duration maxDelay;
    private final double jitter;
    private final List<Class<? extends Throwable>> exceptionTypes;
    private final List<Class<? extends Throwable>> ignoredExceptionTypes;
    private final boolean logExceptionInfo;
    private final boolean respectRetryAfter;
    private final Duration maxRetryAfter;

    private RetryConfig(Builder builder) {
        this.attempts = builder.attempts;
        this.delay = builder.delay;
        this.backoff = builder.backoff;
        this.maxDelay = builder.maxDelay;
        this.jitter = builder.jitter;
        this.exceptionTypes = List.copyOf(builder.exceptionTypes);
        this.ignoredExceptionTypes = List.copyOf(builder.ignoredExceptionTypes);
        this.logExceptionInfo = builder.logExceptionInfo;
        this.respectRetryAfter = builder.respectRetryAfter;
        this.maxRetryAfter = builder.maxRetryAfter;
    }

    /**
     * Returns the built-in defaults: 3 attempts, no delay, backoff 1, no maximum delay, no jitter,
     * every {@link Exception} retried, stack traces logged, server pushback ({@code Retry-After})
     * respected up to the maximum delay.
     *
     * @return the default configuration
     */
    public static RetryConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder holding the built-in defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a builder holding this configuration's values.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.attempts = attempts;
        builder.delay = delay;
        builder.backoff = backoff;
        builder.maxDelay = maxDelay;
        builder.jitter = jitter;
        builder.exceptionTypes = exceptionTypes;
        builder.ignoredExceptionTypes = ignoredExceptionTypes;
        builder.logExceptionInfo = logExceptionInfo;
        builder.respectRetryAfter = respectRetryAfter;
        builder.maxRetryAfter = maxRetryAfter;
        return builder;
    }

    /** @return total number of calls including the first, or {@link #UNLIMITED_ATTEMPTS} */
    public int attempts() {
        return attempts;
    }

    /** @return the delay before the first retry */
    public Duration delay() {
        return delay;
    }

    /** @return the factor applied to the delay after each retry */
    public double backoff() {
        return backoff;
    }

    /** @return the upper bound of any delay before jitter, or {@code null} for none */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the fraction by which delays are randomized up or down */
    public double jitter() {
        return jitter;
    }

    /** @return the exception types that are retried */
    public List<Class<? extends Throwable>> exceptionTypes() {
        return exceptionTypes;
    }

    /** @return the exception types that are never retried; they win over {@link #exceptionTypes()} */
    public List<Class<? extends Throwable>> ignoredExceptionTypes() {
        return ignoredExceptionTypes;
    }

    /** @return whether each retry's WARN line carries the stack trace */
    public boolean logExceptionInfo() {
        return logExceptionInfo;
    }

    /**
     * @return whether a failure's retry-after (see {@link RetryAfter}) lengthens the next delay and
     *         stops the retries when it is too long
     */
    public boolean respectRetryAfter() {
        return respectRetryAfter;
    }

    /**
     * @return the longest retry-after that is waited for, or {@code null} to use {@link #maxDelay()}
     *         (and no limit when that is {@code null} too); a failure asking for longer is not retried
     */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof RetryConfig)) {
            return false;
        }
        RetryConfig that = (RetryConfig) other;
        return attempts == that.attempts && Double.compare(backoff, that.backoff) == 0
                && Double.compare(jitter, that.jitter) == 0 && logExceptionInfo == that.logExceptionInfo
                && delay.equals(that.delay) && Objects.equals(maxDelay, that.maxDelay)
                && exceptionTypes.equals(that.exceptionTypes)
                && ignoredExceptionTypes.equals(that.ignoredExceptionTypes)
                && respectRetryAfter == that.respectRetryAfter && Objects.equals(maxRetryAfter, that.maxRetryAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(attempts, delay, backoff, maxDelay, jitter, exceptionTypes, ignoredExceptionTypes,
                logExceptionInfo, respectRetryAfter, maxRetryAfter);
    }

    @Override
    public String toString() {
        return "RetryConfig[attempts=" + attempts + ", delay=" + delay + ", backoff=" + backoff
                + ", maxDelay=" + maxDelay + ", jitter=" + jitter + ", exceptionTypes=" + exceptionTypes
                + ", ignoredExceptionTypes=" + ignoredExceptionTypes + ", logExceptionInfo="
                + logExceptionInfo + ", respectRetryAfter=" + respectRetryAfter + ", maxRetryAfter=" + maxRetryAfter
                + "]";
    }

    /** Builds a {@link RetryConfig}; starts from the built-in defaults. */
    public static final class Builder {

        private int attempts = 3;
        private Duration delay = Duration.ZERO;
        private double backoff = 1.0;
        private Duration maxDelay;
        private double jitter;
        private List<Class<? extends Throwable>> exceptionTypes = List.of(Exception.class);
        private List<Class<? extends Throwable>> ignoredExceptionTypes = List.of();
        private boolean logExceptionInfo = true;
        private boolean respectRetryAfter = true;
        private Duration maxRetryAfter;

        private Builder() {
        }

        /**
         * @param attempts total calls including the first, at least 1, or -1 for unlimited
         * @return this builder
         */
        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        /**
         * @param delay delay before the first retry, zero or positive
         * @return this builder
         */
        public Builder delay(Duration delay) {
            this.delay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /**
         * @param backoff factor applied to the delay after each retry, finite and at least 1
         * @return this builder
         */
        public Builder backoff(double backoff) {
            this.backoff = backoff;
            return this;
        }

        /**
         * @param maxDelay upper bound of any delay before jitter, positive, or {@code null} for none
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * @param jitter fraction between 0 and 1 by which each delay is randomized up or down
         * @return this builder
         */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /**
         * @param exceptionTypes the retried exception types, at least one
         * @return this builder
         */
        public Builder exceptionTypes(List<Class<? extends Throwable>> exceptionTypes) {
            this.exceptionTypes = List.copyOf(exceptionTypes);
            return this;
        }

        /**
         * @param ignoredExceptionTypes exception types that are never retried
         * @return this builder
         */
        public Builder ignoredExceptionTypes(List<Class<? extends Throwable>> ignoredExceptionTypes) {
            this.ignoredExceptionTypes = List.copyOf(ignoredExceptionTypes);
            return this;
        }

        /**
         * @param logExceptionInfo whether each retry's WARN line carries the stack trace
         * @return this builder
         */
        public Builder logExceptionInfo(boolean logExceptionInfo) {
            this.logExceptionInfo = logExceptionInfo;
            return this;
        }

        /**
         * @param respectRetryAfter whether a failure's retry-after is respected; default {@code true}
         * @return this builder
         */
        public Builder respectRetryAfter(boolean respectRetryAfter) {
            this.respectRetryAfter = respectRetryAfter;
            return this;
        }

        /**
         * @param maxRetryAfter the longest retry-after waited for, positive, or {@code null} (the
         *                      default) to use the maximum delay
         * @return this builder
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
            return this;
        }

        /**
         * Checks every value and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming the first invalid attribute and its value
         */
        public RetryConfig build() {
            if (attempts == 0 || attempts < UNLIMITED_ATTEMPTS) {
                throw invalid("attempts", attempts, "must be -1 (unlimited) or at least 1");
            }
            if (delay.isNegative()) {
                throw invalid("delay", delay, "must not be negative");
            }
            if (!(backoff >= 1.0) || Double.isInfinite(backoff)) {
                throw invalid("backoff", backoff, "must be a finite number of at least 1");
            }
            if (maxDelay != null && (maxDelay.isNegative() || maxDelay.isZero())) {
                throw invalid("maxDelay", maxDelay, "must be positive");
            }
            if (maxRetryAfter != null && (maxRetryAfter.isNegative() || maxRetryAfter.isZero())) {
                throw invalid("maxRetryAfter", maxRetryAfter, "must be positive");
            }
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw invalid("jitter", jitter, "must be between 0 and 1");
            }
            if (exceptionTypes.isEmpty()) {
                throw invalid("exceptionTypes", exceptionTypes, "must name at least one type");
            }
            return new RetryConfig(this);
        }

        private static IllegalArgumentException invalid(String attribute, Object value, String rule) {
            return new IllegalArgumentException("Invalid retry " + attribute + " '" + value + "': " + rule);
        }
    }
}
