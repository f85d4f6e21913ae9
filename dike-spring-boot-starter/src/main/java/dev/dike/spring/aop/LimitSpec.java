package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.adaptive.AdaptiveConfig;

import java.time.Duration;

/**
 * The resolved configuration of a limiter.
 *
 * @param limit    the maximum number of calls in flight (the initial one if adaptive)
 * @param maxWait  how long a call may wait for a permit
 * @param adaptive the adaptive limit's settings, or {@code null} for a fixed limit
 */
record LimitSpec(int limit, Duration maxWait, AdaptiveConfig adaptive) {

    /** Applies the core's rules to the values, throwing its {@link IllegalArgumentException}. */
    static void check(String name, int limit, Duration maxWait) {
        JobLimiter.builder(name).limit(limit).maxWait(maxWait).build();
    }
}
