package dev.dike.sample.backend;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * How the simulated inventory backend behaves, from {@code sample.backend.*}. The values may be
 * changed while the application runs (tests do); every call reads the values in force.
 */
@ConfigurationProperties("sample.backend")
public class BackendProperties {

    private volatile Duration latency = Duration.ofMillis(20);
    private volatile Duration latencyPerItem = Duration.ofNanos(100_000);
    private volatile double failureRate = 0.05;
    private volatile int workers = 8;
    private volatile int maxItems = 10_000;
    private volatile Duration retryAfter = Duration.ofSeconds(1);

    /** @return the fixed cost of one bulk call */
    public Duration getLatency() {
        return latency;
    }

    /** @param latency the fixed cost of one bulk call, at least 0 */
    public void setLatency(Duration latency) {
        requireNotNegative("sample.backend.latency", latency);
        this.latency = latency;
    }

    /** @return the extra cost of each item of a bulk call */
    public Duration getLatencyPerItem() {
        return latencyPerItem;
    }

    /** @param latencyPerItem the extra cost of each item of a bulk call, at least 0 */
    public void setLatencyPerItem(Duration latencyPerItem) {
        requireNotNegative("sample.backend.latency-per-item", latencyPerItem);
        this.latencyPerItem = latencyPerItem;
    }

    /** @return the share of calls that fail with HTTP 503, between 0 and 1 */
    public double getFailureRate() {
        return failureRate;
    }

    /** @param failureRate the share of calls that fail with HTTP 503, between 0 and 1 */
    public void setFailureRate(double failureRate) {
        if (!(failureRate >= 0 && failureRate <= 1)) {
            throw new IllegalArgumentException(
                    "sample.backend.failure-rate must be between 0 and 1, got " + failureRate);
        }
        this.failureRate = failureRate;
    }

    /** @return how many calls the backend serves at once; further calls queue */
    public int getWorkers() {
        return workers;
    }

    /** @param workers how many calls the backend serves at once, at least 1 */
    public void setWorkers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("sample.backend.workers must be at least 1, got " + workers);
        }
        this.workers = workers;
    }

    /** @return the largest number of SKUs one bulk call accepts */
    public int getMaxItems() {
        return maxItems;
    }

    /** @param maxItems the largest number of SKUs one bulk call accepts, at least 1 */
    public void setMaxItems(int maxItems) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("sample.backend.max-items must be at least 1, got " + maxItems);
        }
        this.maxItems = maxItems;
    }

    /** @return the {@code Retry-After} of the injected HTTP 503s; zero: none is sent */
    public Duration getRetryAfter() {
        return retryAfter;
    }

    /**
     * @param retryAfter the {@code Retry-After} of the injected HTTP 503s, in whole seconds as the
     *                   header's delta-seconds form has them; zero sends none
     */
    public void setRetryAfter(Duration retryAfter) {
        requireNotNegative("sample.backend.retry-after", retryAfter);
        if (retryAfter.getNano() != 0) {
            throw new IllegalArgumentException("sample.backend.retry-after must be whole seconds "
                    + "(the header's delta-seconds), such as 1s, got " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /**
     * Takes every value of another instance, e.g. to make a second backend behave as the first does now.
     *
     * @param other the values to take
     */
    public void copyFrom(BackendProperties other) {
        setLatency(other.getLatency());
        setLatencyPerItem(other.getLatencyPerItem());
        setFailureRate(other.getFailureRate());
        setWorkers(other.getWorkers());
        setMaxItems(other.getMaxItems());
        setRetryAfter(other.getRetryAfter());
    }

    private static void requireNotNegative(String property, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be a duration of at least 0, got " + value);
        }
    }
}
