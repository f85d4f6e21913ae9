package dev.dike.spring;

import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.Retrier;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every dike instance of the application, by name: one retrier, limiter or batcher per name,
 * shared by every method that uses that name. The actuator endpoint and the metrics read it; an
 * application may look instances up to inspect or tune them.
 *
 * <p>The aspects create instances through it; see the starter's documentation for how a name's
 * configuration is resolved.
 */
public final class DikeRegistry {

    private final ConcurrentSkipListMap<String, Retrier> retriers = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, JobLimiter> limiters = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, Batcher<?, ?>> batchers = new ConcurrentSkipListMap<>();

    /** @return every retry instance, sorted by name; a live, read-only view */
    public SortedMap<String, Retrier> retriers() {
        return Collections.unmodifiableSortedMap(retriers);
    }

    /** @return every limiter, sorted by name; a live, read-only view */
    public SortedMap<String, JobLimiter> limiters() {
        return Collections.unmodifiableSortedMap(limiters);
    }

    /** @return every batcher, sorted by name; a live, read-only view */
    public SortedMap<String, Batcher<?, ?>> batchers() {
        return Collections.unmodifiableSortedMap(batchers);
    }

    /**
     * @param name an instance name
     * @return the retry instance of that name, if any
     */
    public Optional<Retrier> findRetrier(String name) {
        return Optional.ofNullable(retriers.get(name));
    }

    /**
     * @param name an instance name
     * @return the limiter of that name, if any
     */
    public Optional<JobLimiter> findLimiter(String name) {
        return Optional.ofNullable(limiters.get(name));
    }

    /**
     * @param name an instance name
     * @return the batcher of that name, if any
     */
    public Optional<Batcher<?, ?>> findBatcher(String name) {
        return Optional.ofNullable(batchers.get(name));
    }

    // Package-private mutators for the starter's own use; owned by the aspect/auto-configuration code.
    Map<String, Retrier> mutableRetriers() {
        return retriers;
    }

    Map<String, JobLimiter> mutableLimiters() {
        return limiters;
    }

    Map<String, Batcher<?, ?>> mutableBatchers() {
        return batchers;
    }
}
