package dev.dike.redis;

import dev.dike.context.ContextCarrier;
import dev.dike.limit.LimitListener;
import dev.dike.limit.ListenerGuard;
import dev.dike.time.DelayScheduler;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster limits of one namespace on one Redis, as seen by one application instance: the facade
 * that composes the {@link LeaseTable} (keys and scripts), the {@link LeaseRenewer} (one renewal round
 * trip per period for every lease), the {@link WakeUpChannel} (pub/sub wake-ups of waiting calls) and
 * the {@link ConnectionState} (reachable or not), and creates one {@link ClusterLimiter} per name.
 *
 * <p>Every instance that builds a {@code ClusterLimits} with the same namespace on the same Redis
 * shares its limits: a name's {@link ClusterLimiter#limit()} counts the leases of all of them. A lease
 * expires unless its instance renews it; expiry is measured by the Redis server's clock only.
 *
 * <p>Connections: one command connection and one pub/sub connection, opened from the given
 * {@link RedisClient} (Lettuce reconnects them). If Redis cannot be reached when this is built, the
 * limits start in fallback and connecting is retried in the background.
 *
 * <p>Thread-safe. {@link #close()} stops renewing, removes this instance's heartbeat and closes the
 * connections; leases still held then expire within the lease time.
 */
public final class ClusterLimits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLimits.class);

    private final RedisClient client;
    private final String namespace;
    private final Duration leaseTime;
    private final OnUnavailable onUnavailable;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final ClusterListener listener;
    private final String instanceId;
    private final AtomicLong leaseSequence = new AtomicLong();
    private final KeyLayout keys;
    private final ConnectionState state;
    private final RoundTrips roundTrips;
    private final LeaseRenewer renewer;
    private final WakeUpChannel wakeUps;
    private final ConcurrentSkipListMap<String, ClusterLimiter> limiters = new ConcurrentSkipListMap<>();
    private volatile LeaseTable table;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    private ClusterLimits(Builder builder) {
        this.client = builder.client;
        this.namespace = builder.namespace;
        this.leaseTime = builder.leaseTime;
        this.onUnavailable = builder.onUnavailable;
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.listener = GuardedClusterListener.guard(builder.listener, namespace);
        this.instanceId = UUID.randomUUID().toString().substring(0, 13).replace("-", "");
        this.keys = new KeyLayout(namespace);
        this.state = new ConnectionState(namespace, onUnavailable);
        this.roundTrips = new RoundTrips(scheduler, builder.roundTripTimeout != null ? builder.roundTripTimeout
                : leaseTime.dividedBy(5), listener, state);
        this.renewer = new LeaseRenewer(this, () -> table, scheduler, leaseTime.toNanos() / 3);
        this.wakeUps = new WakeUpChannel(keys.wakeUpChannel(), this::wakeUp);
    }

    /**
     * Starts a builder.
     *
     * @param client the Lettuce client of the application's Redis (standalone or Sentinel)
     * @return a new builder
     */
    public static Builder builder(RedisClient client) {
        return new Builder(client);
    }

    /**
     * Returns the cluster limiter of this name, creating it on the first request.
     *
     * @param name     the limit's name, shared by every instance of the namespace
     * @param limit    the limit this instance is configured with, at least 0; the first instance's
     *                 value is stored in Redis and applies to all (see {@link ClusterLimiter#limit()})
     * @param maxWait  how long a call may wait for a permit, zero or positive
     * @param listener receives the limiter's events
     * @return the limiter
     * @throws IllegalArgumentException if {@code limit} or {@code maxWait} is invalid
     * @throws IllegalStateException    if the limiter exists with another configuration, or this is closed
     */
    public ClusterLimiter limiter(String name, int limit, Duration maxWait, LimitListener listener) {
        return limiter(name, limit, maxWait, listener, null);
    }

    /**
     * Returns the cluster limiter of this name, creating it on the first request, with a carrier of its
     * callers' context: every call's grant or rejection reaches it on another thread (a Redis reply,
     * the executor), where the captured context is made current; see {@link ContextCarrier}.
     *
     * @param name           the limit's name, shared by every instance of the namespace
     * @param limit          the limit this instance is configured with, at least 0
     * @param maxWait        how long a call may wait for a permit, zero or positive
     * @param listener       receives the limiter's events
     * @param contextCarrier captures each call's context, or {@code null} for none; only the creating
     *                       request's carrier is used
     * @return the limiter
     * @throws IllegalArgumentException if {@code limit} or {@code maxWait} is invalid
     * @throws IllegalStateException    if the limiter exists with another configuration, or this is closed
     */
    public ClusterLimiter limiter(String name, int limit, Duration maxWait, LimitListener listener,
            ContextCarrier contextCarrier) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(listener, "listener");
        if (limit < 0) {
            throw new IllegalArgumentException("Invalid limit '" + limit + "' for " + name + ": must be at least 0");
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("Invalid maxWait '" + maxWait + "' for " + name + ": must not be negative");
        }
        if (closed) {
            throw new IllegalStateException("The cluster limits of namespace '" + namespace + "' are closed");
        }
        ClusterLimiter limiter = limiters.computeIfAbsent(name,
                created -> new ClusterLimiter(this, created, limit, maxWait, ListenerGuard.guard(listener),
                        contextCarrier));
        if (limiter.requestedLimit() != limit || !limiter.maxWait().equals(maxWait)) {
            throw new IllegalStateException("The cluster limiter '" + name + "' exists with limit "
                    + limiter.requestedLimit() + " and maxWait " + limiter.maxWait() + "; it cannot be requested with limit "
                    + limit + " and maxWait " + maxWait);
        }
        return limiter;
    }

    /** @return every cluster limiter of this instance, sorted by name; a live, read-only view */
    public SortedMap<String, ClusterLimiter> limiters() {
        return Collections.unmodifiableSortedMap(limiters);
    }

    /** @return the namespace: instances with the same namespace on the same Redis share their limits */
    public String namespace() {
        return namespace;
    }

    /** @return how long a lease lasts unless renewed; renewed every third of it */
    public Duration leaseTime() {
        return leaseTime;
    }

    /** @return what limits do while Redis cannot be reached */
    public OnUnavailable onUnavailable() {
        return onUnavailable;
    }

    /** @return whether Redis answered the last round trip; {@code false} means the limits are in fallback */
    public boolean isAvailable() {
        return state.available() && table != null;
    }

    /** @return how many times Redis became unreachable since this was built */
    public long fallbackCount() {
        return state.switchesToFallback();
    }

    /** @return the instances of the namespace whose heartbeat was in force at the last renewal, at least 1 */
    public int instancesAlive() {
        return renewer.alive();
    }

    /** @return this instance's id in Redis: its heartbeat and the prefix of its lease ids */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Stops renewing, removes this instance's heartbeat (waiting up to the round-trip timeout, after the
     * releases already sent) and closes the connections. Idempotent. Leaves no fallback warning behind:
     * the connections closing here are not Redis becoming unreachable.
     *
     * <p>Blocks for a round trip and for the connections to close, so it must not run on a Netty event-loop
     * thread (such as a Lettuce callback's), which would have to deliver that very reply: it would stall the
     * connection of every command that thread serves. Call it from the application's own shutdown.
     *
     * @throws IllegalStateException if called on a Netty thread; nothing is closed then
     */
    @Override
    public void close() {
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            throw new IllegalStateException("ClusterLimits.close() of namespace '" + namespace + "' was called on the "
                    + "Netty thread " + Thread.currentThread().getName() + " (e.g. in a Lettuce callback): it waits for a "
                    + "reply from Redis that this thread would have to deliver. Call it from another thread, such as the "
                    + "application's shutdown.");
        }
        if (closed) {
            return;
        }
        closed = true;
        boolean reachable = state.available();
        state.close();
        renewer.close();
        LeaseTable leases = table;
        if (leases != null && reachable) {
            try {
                leases.leave(instanceId).get(roundTrips.timeoutNanos(), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.debug("Could not remove the heartbeat of instance {} from Redis", instanceId, e);
            }
        }
        wakeUps.close();
        StatefulRedisConnection<String, String> commands = connection;
        if (commands != null) {
            client.removeListener(state);
            commands.close();
        }
    }

    // ---- shared with the limiters, the renewer and the channel -------------------------------------------

    LeaseTable table() {
        return table;
    }

    ConnectionState state() {
        return state;
    }

    LeaseRenewer renewer() {
        return renewer;
    }

    DelayScheduler scheduler() {
        return scheduler;
    }

    Executor executor() {
        return executor;
    }

    ClusterListener listener() {
        return listener;
    }

    Collection<ClusterLimiter> limitersView() {
        return limiters.values();
    }

    ClusterLimiter find(String name) {
        return limiters.get(name);
    }

    KeyLayout keys() {
        return keys;
    }

    String newLeaseId() {
        return instanceId + ':' + leaseSequence.incrementAndGet();
    }

    /** Drains every limit's waiting calls: Redis came back, went away, or a renewal ran. */
    void drainAll() {
        for (ClusterLimiter limiter : limiters.values()) {
            if (limiter.waiting() != 0) {
                limiter.drain();
            }
        }
    }

    private void wakeUp(String name) {
        ClusterLimiter limiter = limiters.get(name);
        if (limiter != null) {
            limiter.drain();
        }
    }

    private void start() {
        LeaseTable.loadScripts();
        state.watchListener(new ConnectionState.Transitions() {
            @Override
            public void lost() {
                listener.onAvailabilityChanged(false);
                drainAll();
            }

            @Override
            public void regained() {
                listener.onAvailabilityChanged(true);
                renewer.renewSoon(); // adds the fallback permits as leases
                drainAll();
            }

            @Override
            public void reconnected() {
                renewer.renewSoon();
            }
        });
        renewer.start();
        if (!connect()) {
            scheduleConnect(Duration.ofMillis(100));
        }
    }

    /** Opens both connections; blocking, so never on the scheduler or an event loop. */
    private boolean connect() {
        if (closed) {
            return true;
        }
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect();
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
            wakeUps.subscribe(pubSub);
            state.watchConnection(commands);
            client.addListener(state);
            connection = commands;
            table = new LeaseTable(commands.async(), keys, leaseTime.toMillis(), roundTrips);
            renewer.renew();
            return true;
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            state.failed(e);
            return false;
        }
    }

    private void scheduleConnect(Duration delay) {
        scheduler.schedule(() -> {
            Thread connector = new Thread(() -> {
                if (!connect()) {
                    Duration next = delay.multipliedBy(2);
                    scheduleConnect(next.compareTo(leaseTime) > 0 ? leaseTime : next);
                }
            }, "dike-redis-connect");
            connector.setDaemon(true);
            connector.start();
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "ClusterLimits[namespace=" + namespace + ", leaseTime=" + leaseTime + ", onUnavailable="
                + onUnavailable + ", instance=" + instanceId + "]";
    }

    /** Builds {@link ClusterLimits}. */
    public static final class Builder {

        private final RedisClient client;
        private String namespace;
        private Duration leaseTime = Duration.ofSeconds(10);
        private Duration roundTripTimeout;
        private OnUnavailable onUnavailable = OnUnavailable.LOCAL;
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor = ForkJoinPool.commonPool();
        private ClusterListener listener = ClusterListener.NONE;

        private Builder(RedisClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * @param namespace the namespace, usually the application's name; required, not blank
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /**
         * @param leaseTime how long a lease lasts unless renewed, at least 100 ms; default 10 s. A dead
         *                  instance's permits come back within this time
         * @return this builder
         */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
            return this;
        }

        /**
         * @param roundTripTimeout how long Redis may leave a round trip unanswered, while answering
         *                         nothing else either, before it counts as unreachable; default a fifth of
         *                         the lease time
         * @return this builder
         */
        public Builder roundTripTimeout(Duration roundTripTimeout) {
            this.roundTripTimeout = Objects.requireNonNull(roundTripTimeout, "roundTripTimeout");
            return this;
        }

        /**
         * @param onUnavailable what limits do while Redis cannot be reached; default {@link OnUnavailable#LOCAL}
         * @return this builder
         */
        public Builder onUnavailable(OnUnavailable onUnavailable) {
            this.onUnavailable = Objects.requireNonNull(onUnavailable, "onUnavailable");
            return this;
        }

        /**
         * @param scheduler runs renewals and round-trip and wait timeouts; default {@link DelayScheduler#system()}
         * @return this builder
         */
        public Builder scheduler(DelayScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param executor completes callers' futures (so operations start there, never on a Redis client
         *                 thread); default the common fork-join pool
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener receives round trips, renewals and availability changes; default none
         * @return this builder
         */
        public Builder listener(ClusterListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Checks every value, connects to Redis (or starts in fallback if it cannot be reached) and
         * starts renewing.
         *
         * @return the cluster limits
         * @throws IllegalArgumentException naming the invalid setting and its value
         */
        public ClusterLimits build() {
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException("Missing namespace: required, not blank");
            }
            if (leaseTime.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("Invalid leaseTime '" + leaseTime + "': must be at least 100ms");
            }
            if (roundTripTimeout != null && (roundTripTimeout.isNegative() || roundTripTimeout.isZero())) {
                throw new IllegalArgumentException("Invalid roundTripTimeout '" + roundTripTimeout + "': must be positive");
            }
            ClusterLimits limits = new ClusterLimits(this);
            limits.start();
            return limits;
        }
    }
}
