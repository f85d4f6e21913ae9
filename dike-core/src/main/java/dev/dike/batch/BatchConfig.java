package dev.dike.batch;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link Batcher}. Every value is checked when {@link Builder#build()} runs;
 * an invalid value fails with an {@link IllegalArgumentException} that names the attribute and the
 * value.
 */
public final class BatchConfig {

    /** Value of {@link #maxConcurrentBatches()} meaning "no limit". */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private final int targetBatchSize;
    private final Duration maxWaitingTime;
    private final Duration maxProcessingTime;
    private final int maxConcurrentBatches;

    private BatchConfig(Builder builder) {
        this.targetBatchSize = builder.targetBatchSize;
        this.maxWaitingTime = builder.maxWaitingTime;
        this.maxProcessingTime = builder.maxProcessingTime;
        this.maxConcurrentBatches = builder.maxConcurrentBatches;
    }

    /**
     * Starts a builder; {@code targetBatchSize} is required, the rest defaults to 10 ms waiting,
     * 10 s processing and unlimited concurrent batches.
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
        return new Builder()
                .targetBatchSize(targetBatchSize)
                .maxWaitingTime(maxWaitingTime)
                .maxProcessingTime(maxProcessingTime)
                .maxConcurrentBatches(maxConcurrentBatches);
    }

    /** @return the number of rows at which a batch is flushed at once */
    public int targetBatchSize() {
        return targetBatchSize;
    }

    /**
     * @return how long after its first call a batch is flushed anyway; zero (only together with a
     *         {@link #maxConcurrentBatches()} cap) means a batch is formed as soon as a slot is free
     *         and fills only while every slot is busy
     */
    public Duration maxWaitingTime() {
        return maxWaitingTime;
    }

    /** @return how long a batch may run before its callers fail with a {@code TimeoutException} */
    public Duration maxProcessingTime() {
        return maxProcessingTime;
    }

    /** @return the maximum number of batches running at once, or {@link #UNLIMITED} */
    public int maxConcurrentBatches() {
        return maxConcurrentBatches;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof BatchConfig)) {
            return false;
        }
        BatchConfig that = (BatchConfig) other;
        return targetBatchSize == that.targetBatchSize && maxConcurrentBatches == that.maxConcurrentBatches
                && maxWaitingTime.equals(that.maxWaitingTime) && maxProcessingTime.equals(that.maxProcessingTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(targetBatchSize, maxWaitingTime, maxProcessingTime, maxConcurrentBatches);
    }

    @Override
    public String toString() {
        return "BatchConfig[targetBatchSize=" + targetBatchSize + ", maxWaitingTime=" + maxWaitingTime
                + ", maxProcessingTime=" + maxProcessingTime + ", maxConcurrentBatches="
                + (maxConcurrentBatches == UNLIMITED ? "unlimited" : maxConcurrentBatches) + "]";
    }

    /** Builds a {@link BatchConfig}. */
    public static final class Builder {

        private int targetBatchSize;
        private Duration maxWaitingTime = Duration.ofMillis(10);
        private Duration maxProcessingTime = Duration.ofSeconds(10);
        private int maxConcurrentBatches = UNLIMITED;

        private Builder() {
        }

        /**
         * @param targetBatchSize rows at which a batch is flushed at once, greater than 0
         * @return this builder
         */
        public Builder targetBatchSize(int targetBatchSize) {
            this.targetBatchSize = targetBatchSize;
            return this;
        }

        /**
         * @param maxWaitingTime time after a batch's first call at which it is flushed; positive, or
         *                       zero together with a {@link #maxConcurrentBatches(int) cap}: then a
         *                       batch is formed as soon as a slot is free, and fills only while every
         *                       slot is busy (no wait at all when the batcher is idle)
         * @return this builder
         */
        public Builder maxWaitingTime(Duration maxWaitingTime) {
            this.maxWaitingTime = Objects.requireNonNull(maxWaitingTime, "maxWaitingTime");
            return this;
        }

        /**
         * @param maxProcessingTime positive time a batch may run before its callers time out
         * @return this builder
         */
        public Builder maxProcessingTime(Duration maxProcessingTime) {
            this.maxProcessingTime = Objects.requireNonNull(maxProcessingTime, "maxProcessingTime");
            return this;
        }

        /**
         * @param maxConcurrentBatches batches running at once, greater than 0, or {@link #UNLIMITED}
         * @return this builder
         */
        public Builder maxConcurrentBatches(int maxConcurrentBatches) {
            this.maxConcurrentBatches = maxConcurrentBatches;
            return this;
        }

        /**
         * Checks every value and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming the first invalid attribute and its value
         */
        public BatchConfig build() {
            if (targetBatchSize <= 0) {
                throw invalid("targetBatchSize", targetBatchSize, "must be greater than 0");
            }
            if (maxWaitingTime.isNegative()) {
                throw invalid("maxWaitingTime", maxWaitingTime, "must be positive, or 0 with maxConcurrentBatches");
            }
            if (maxProcessingTime.isNegative() || maxProcessingTime.isZero()) {
                throw invalid("maxProcessingTime", maxProcessingTime, "must be positive");
            }
            if (maxConcurrentBatches <= 0) {
                throw invalid("maxConcurrentBatches", maxConcurrentBatches, "must be greater than 0");
            }
            if (maxWaitingTime.isZero() && maxConcurrentBatches == UNLIMITED) {
                throw invalid("maxWaitingTime", maxWaitingTime, "a zero wait needs maxConcurrentBatches: batches "
                        + "fill only while every slot is busy, so without a cap every call would be sent alone; "
                        + "set maxConcurrentBatches or a positive maxWaitingTime");
            }
            return new BatchConfig(this);
        }

        private static IllegalArgumentException invalid(String attribute, Object value, String rule) {
            return new IllegalArgumentException("Invalid batch " + attribute + " '" + value + "': " + rule);
        }
    }
}
