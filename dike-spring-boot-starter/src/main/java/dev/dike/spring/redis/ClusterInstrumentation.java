package dev.dike.spring.redis;

import dev.dike.limit.LimitListener;
import dev.dike.redis.ClusterLimiter;
import dev.dike.redis.ClusterLimits;
import dev.dike.redis.ClusterListener;

/** What the cluster limits report to, e.g. Micrometer ({@link ClusterMeters}); optional. */
interface ClusterInstrumentation {

    /** @return the listener of the namespace's round trips, renewals and availability */
    ClusterListener clusterListener();

    /** @return the listener of one limit's calls */
    LimitListener limitListener(String name);

    /** Binds gauges that read the namespace's live state. */
    void bind(ClusterLimits limits);

    /** Binds gauges that read one limiter's live state. */
    void bind(ClusterLimiter limiter);

    /** Removes everything registered. */
    void close();
}
