package dev.dike.limit.adaptive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings of an {@link AdaptiveLimit}. Immutable; built with {@link #builder(int)}, whose
 * {@link Builder#build()} checks every value and names each one that is wrong.
 */
public final class AdaptiveConfig {

    /** Default {@link #minLimit()}. */
    public static final int DEFAULT_MIN_LIMIT = 1;
    /** Default {@link #maxLimit()}. */
    public static final int DEFAULT_MAX_LIMIT = 1000;
    /** Default {@link #window()}. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(100);
    /** Default {@link #tolerance()}. */
    public static final double DEFAULT_TOLERANCE = 0.1;
    /** Default {@link #baselineWindow()}. */
    public static final Duration DEFAULT_BASELINE_WINDOW = Duration.ofSeconds(10);

    private final int initialLimit;
    private final int minLimit;
    private final int maxLimit;
    private final Duration window;
    private final double tolerance;
    private final Duration baselineWindow;

    private AdaptiveConfig(Builder builder) {
        this.initialLimit = builder.initialLimit;
        this.minLimit = builder.minLimit;
        this.maxLimit = builder.maxLimit;
        this.window = builder.window;
        this.tolerance = builder.tolerance;
        this.baselineWindow = builder.baselineWindow;
    }

    /**
     * @param initialLimit the limit to start from, within [{@link #minLimit()}, {@link #maxLimit()}]
     * @return a builder with every other setting at its default
     */
    public static Builder builder(int initialLimit) {
        return new Builder(initialLimit);
    }

    /** @return the limit to start from */
    public int initialLimit() {
        return initialLimit;
    }

    /** @return the lowest limit the algorithm sets, at least 1; default {@value #DEFAULT_MIN_LIMIT} */
    public int minLimit() {
        return minLimit;
    }

    /** @return the highest limit the algorithm sets; default {@value #DEFAULT_MAX_LIMIT} */
    public int maxLimit() {
        return maxLimit;
    }

    /**
     * @return how long the limiter collects completions before the algorithm looks at them (a window
     *         also waits for a few completions); default 100 ms
     */
    public Duration window() {
        return window;
    }

    /**
     * @return by how much, as a fraction, a window's mean latency may exceed the baseline (the lowest
     *         recent one) before it counts as queueing; default {@value #DEFAULT_TOLERANCE}
     */
    public double tolerance() {
        return tolerance;
    }

    /**
     * @return how long the lowest latency seen is remembered as the baseline (between one and two
     *         such periods), so that a backend that became slower for good is learnt; default 10 s
     */
    public Duration baselineWindow() {
        return baselineWindow;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AdaptiveConfig that && initialLimit == that.initialLimit && minLimit == that.minLimit
                && maxLimit == that.maxLimit && window.equals(that.window) && tolerance == that.tolerance
                && baselineWindow.equals(that.baselineWindow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initialLimit, minLimit, maxLimit, window, tolerance, baselineWindow);
    }

    @Override
    public String toString() {
        return "AdaptiveConfig[initialLimit=" + initialLimit + ", minLimit=" + minLimit + ", maxLimit=" + maxLimit
                + ", window=" + window + ", tolerance=" + tolerance + ", baselineWindow=" + baselineWindow + "]";
    }

    /** Builds an {@link AdaptiveConfig}. */
    public static final class Builder {

        private final int initialLimit;
        private int minLimit = DEFAULT_MIN_LIMIT;
        private int maxLimit = DEFAULT_MAX_LIMIT;
        private Duration window = DEFAULT_WINDOW;
        private double tolerance = DEFAULT_TOLERANCE;
        private Duration baselineWindow = DEFAULT_BASELINE_WINDOW;

        private Builder(int initialLimit) {
            this.initialLimit = initialLimit;
        }

        /**
         * @param minLimit the lowest limit, at least 1; default {@value #DEFAULT_MIN_LIMIT}
         * @return this builder
         */
        public Builder minLimit(int minLimit) {
            this.minLimit = minLimit;
            return this;
        }

        /**
         * @param maxLimit the highest limit, at least {@code minLimit}; default {@value #DEFAULT_MAX_LIMIT}
         * @return this builder
         */
        public Builder maxLimit(int maxLimit) {
            this.maxLimit = maxLimit;
            return this;
        }

        /**
         * @param window how long completions are collected before each decision, positive; default 100 ms
         * @return this builder
         */
        public Builder window(Duration window) {
            this.window = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * @param tolerance the fraction by which latency may exceed the baseline before it counts as
         *                  queueing, greater than 0 and at most 1; default {@value #DEFAULT_TOLERANCE}
         * @return this builder
         */
        public Builder tolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param baselineWindow how long the lowest latency is remembered, at least {@code window};
         *                       default 10 s
         * @return this builder
         */
        public Builder baselineWindow(Duration baselineWindow) {
            this.baselineWindow = Objects.requireNonNull(baselineWindow, "baselineWindow");
            return this;
        }

        /**
         * @return the problems of the values set, one message per setting naming it and its value;
         *         empty if {@link #build()} would succeed
         */
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (minLimit < 1) {
                problems.add("minLimit '" + minLimit + "' must be at least 1");
            }
            if (maxLimit < 1) {
                problems.add("maxLimit '" + maxLimit + "' must be at least 1");
            } else if (minLimit >= 1 && maxLimit < minLimit) {
                problems.add("maxLimit '" + maxLimit + "' must be at least minLimit '" + minLimit + "'");
            }
            if (initialLimit < 1) {
                problems.add("initialLimit '" + initialLimit + "' must be at least 1");
            } else if (minLimit >= 1 && maxLimit >= minLimit && (initialLimit < minLimit || initialLimit > maxLimit)) {
                problems.add("initialLimit '" + initialLimit + "' must be within minLimit '" + minLimit
                        + "' and maxLimit '" + maxLimit + "'");
            }
            if (window.isNegative() || window.isZero()) {
                problems.add("window '" + window + "' must be positive");
            }
            if (!(tolerance > 0.0 && tolerance <= 1.0)) {
                problems.add("tolerance '" + tolerance + "' must be greater than 0 and at most 1");
            }
            if (baselineWindow.compareTo(window) < 0) {
                problems.add("baselineWindow '" + baselineWindow + "' must be at least window '" + window + "'");
            }
            return problems;
        }

        /**
         * Checks every value and builds the settings.
         *
         * @return the settings
         * @throws IllegalArgumentException naming every invalid setting and its value
         */
        public AdaptiveConfig build() {
            List<String> problems = problems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid adaptive limit: " + String.join("; ", problems));
            }
            return new AdaptiveConfig(this);
        }
    }
}
