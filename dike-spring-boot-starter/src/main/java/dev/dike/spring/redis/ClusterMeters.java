package dev.dike.spring.redis;

import dev.dike.limit.LimitListener;
import dev.dike.redis.ClusterLimiter;
import dev.dike.redis.ClusterLimits;
import dev.dike.redis.ClusterListener;
import dev.dike.spring.metrics.MicrometerDikeObserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Micrometer meters of cluster limits: the limiter meters every dike limit has ({@code dike.limit.calls},
 * {@code dike.limit.wait}, {@code dike.limit.active}, {@code dike.limit.limit}, {@code dike.limit.waiting}, tagged
 * {@code scope=cluster}; active and waiting count this instance), registered by the starter's
 * {@link MicrometerDikeObserver} exactly as a local limiter's are (one definition of their names and tags); and
 * the Redis side: {@code dike.limit.cluster.round.trip} (timer, by operation and outcome),
 * {@code dike.limit.cluster.errors}, {@code dike.limit.cluster.fallback} (1 while Redis is unreachable),
 * {@code dike.limit.cluster.fallbacks} (switches), {@code dike.limit.cluster.renewals},
 * {@code dike.limit.cluster.leases.lost}, {@code dike.limit.cluster.instances} (alive) and
 * {@code dike.limit.cluster.active} (permits held across the cluster). Without the observer (its
 * auto-configuration excluded) only the Redis side is published, as local limits then have no meters either.
 * Thread-safe; recording never looks a meter up.
 */
final class ClusterMeters implements ClusterInstrumentation, ClusterListener {

    private static final String CLUSTER = "cluster";

    private final MeterRegistry registry;
    private final MicrometerDikeObserver limitMeters;
    private final Set<Meter> registered = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Timer> roundTrips = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> lost = new ConcurrentHashMap<>();
    private final Counter renewals;
    private final Counter fallbacks;

    /**
     * @param registry    receives the Redis-side meters
     * @param limitMeters registers the {@code dike.limit.*} meters, or {@code null} for none
     */
    ClusterMeters(MeterRegistry registry, MicrometerDikeObserver limitMeters) {
        this.registry = registry;
        this.limitMeters = limitMeters;
        this.renewals = remember(Counter.builder("dike.limit.cluster.renewals")
                .description("Renewal round trips that renewed this instance's leases").register(registry));
        this.fallbacks = remember(Counter.builder("dike.limit.cluster.fallbacks")
                .description("Times Redis became unreachable and cluster limits fell back").register(registry));
    }

    @Override
    public ClusterListener clusterListener() {
        return this;
    }

    @Override
    public LimitListener limitListener(String name) {
        return limitMeters == null ? LimitListener.NONE : limitMeters.limitListener(name, CLUSTER);
    }

    @Override
    public void bind(ClusterLimits limits) {
        remember(Gauge.builder("dike.limit.cluster.fallback", limits, cluster -> cluster.isAvailable() ? 0 : 1)
                .description("1 while Redis cannot be reached and cluster limits use on-unavailable").register(registry));
        remember(Gauge.builder("dike.limit.cluster.instances", limits, ClusterLimits::instancesAlive)
                .description("Instances of the namespace whose heartbeat is in force").register(registry));
    }

    @Override
    public void bind(ClusterLimiter limiter) {
        String name = limiter.name();
        if (limitMeters != null) {
            limitMeters.limiterCreated(name, CLUSTER, limiter, ClusterLimiter::inFlight, ClusterLimiter::limit,
                    ClusterLimiter::waiting);
        }
        remember(Gauge.builder("dike.limit.cluster.active", limiter, ClusterLimiter::clusterInFlight).tags("name", name)
                .description("Permits held across the cluster, as last seen in Redis").baseUnit("calls").register(registry));
    }

    @Override
    public void onRoundTrip(String operation, long nanos, boolean succeeded) {
        String outcome = succeeded ? "success" : "error";
        roundTrips.computeIfAbsent(operation + ':' + outcome, key -> remember(Timer.builder("dike.limit.cluster.round.trip")
                .tags("operation", operation, "outcome", outcome)
                .description("Round trips to Redis of cluster limits").register(registry)))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (!succeeded) {
            errors.computeIfAbsent(operation, key -> remember(Counter.builder("dike.limit.cluster.errors")
                    .tags("operation", operation).description("Round trips to Redis that failed or timed out")
                    .register(registry))).increment();
        }
    }

    @Override
    public void onRenewed(int leases) {
        renewals.increment();
    }

    @Override
    public void onLeasesLost(String name, int count) {
        lost.computeIfAbsent(name, key -> remember(Counter.builder("dike.limit.cluster.leases.lost").tags("name", name)
                .description("Leases that expired before this instance could renew them").register(registry)))
                .increment(count);
    }

    @Override
    public void onAvailabilityChanged(boolean available) {
        if (!available) {
            fallbacks.increment();
        }
    }

    @Override
    public void close() {
        registered.forEach(registry::remove);
        registered.clear();
    }

    private <M extends Meter> M remember(M meter) {
        registered.add(meter);
        return meter;
    }
}
