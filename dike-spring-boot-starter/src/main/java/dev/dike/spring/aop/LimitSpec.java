package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;

import java.time.Duration;

/**
 * The resolved configuration of a limiter.
 *
 * @param limit   the maximum number of calls in flight
 * @param maxWait how long a call may wait for a permit
 */
record LimitSpec(int limit, Duration maxWait) {

    /** Applies the core's rules to the values, throwing its {@link IllegalArgumentException}. */
    static void check(String name, int limit, Duration maxWait) {
        JobLimiter.builder(name).limit(limit).maxWait(maxWait).build();
    }
}
