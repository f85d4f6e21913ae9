package dev.dike.spring;

import dev.dike.redis.ClusterLimiter;

import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;

/**
 * Supplies the limiters of {@code @LimitJobs} instances with {@code scope: cluster}: the Redis
 * auto-configuration ({@code dev.dike.spring.redis}) declares one when dike-redis and Spring Data
 * Redis's Lettuce connection factory are available. The interceptors, the actuator endpoint and the
 * startup check use it; applications need not.
 */
public interface ClusterLimitFactory {

    /**
     * Returns the cluster limiter of this name, creating it (and connecting to Redis) on the first request.
     *
     * @param name    the instance name
     * @param limit   the configured limit
     * @param maxWait how long a call may wait for a permit
     * @return the limiter
     * @throws DikeConfigurationException if the cluster settings or the Redis connection are unusable
     * @throws IllegalStateException      if the limiter exists with another configuration
     */
    ClusterLimiter limiter(String name, int limit, Duration maxWait);

    /** @return the state of every cluster limiter created so far, by name */
    SortedMap<String, ClusterLimitState> states();

    /**
     * Changes a cluster limit for every instance, waiting until Redis has it.
     *
     * @param name  the instance name
     * @param limit the new limit, at least 0
     * @throws IllegalArgumentException if there is no such cluster limiter or the limit is negative
     * @throws IllegalStateException    if Redis could not be reached
     */
    void setLimit(String name, int limit);

    /**
     * The settings and live state of one cluster limiter, as the actuator shows it.
     *
     * @param limit     the cluster limit in force (as last seen in Redis)
     * @param maxWait   how long a call may wait for a permit
     * @param inFlight  permits this instance holds
     * @param available permits free across the cluster, as last seen
     * @param waiting   calls of this instance waiting for a permit
     * @param permitted calls of this instance that got a permit
     * @param rejected  calls of this instance rejected
     * @param cluster   cluster details: clusterInFlight, instancesAlive, fallback, onUnavailable, leaseTime,
     *                  namespace, configuredLimit
     */
    record ClusterLimitState(int limit, Duration maxWait, int inFlight, int available, int waiting, long permitted,
                             long rejected, Map<String, Object> cluster) {
    }
}
