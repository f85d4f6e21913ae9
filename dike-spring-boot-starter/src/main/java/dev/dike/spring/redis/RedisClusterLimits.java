package dev.dike.spring.redis;

import dev.dike.context.ContextCarrier;
import dev.dike.limit.LimitListener;
import dev.dike.redis.ClusterLimiter;
import dev.dike.redis.ClusterLimits;
import dev.dike.redis.OnUnavailable;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.DikeInstanceContexts;
import dev.dike.spring.autoconfigure.DikeProperties;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The {@link ClusterLimitFactory} on the application's Redis: the Lettuce client of Spring Data Redis's
 * {@link LettuceConnectionFactory} (so {@code spring.data.redis.*}, SSL and Sentinel apply as configured), one
 * {@link ClusterLimits} for the namespace, created with the first cluster limiter, on the {@link DikeRegistry}'s
 * scheduler and executor (those of the local limits). Creation is synchronized (rare: once per name, at
 * startup); the rest is the limiters' own.
 *
 * <p>Closed when the context stops, in the lifecycle phase just above the connection factory's, so that the
 * cluster limits leave (heartbeat removed, connections closed) before Lettuce shuts down, and after a web
 * server's graceful shutdown let the requests in flight finish; closed on destruction otherwise.
 *
 * <p>Each limiter carries its callers' context like a local one ({@link DikeInstanceContexts#limit}).
 */
final class RedisClusterLimits implements ClusterLimitFactory, SmartLifecycle, DisposableBean {

    private final ObjectProvider<RedisConnectionFactory> connectionFactory;
    private final DikeProperties.ClusterSettings settings;
    private final Environment environment;
    private final ClusterInstrumentation instrumentation;
    private final DikeRegistry registry;
    /** The context hooks of each limiter (tracing, context propagation); {@code null} for none. */
    private final DikeInstanceContexts contexts;
    private volatile ClusterLimits limits;
    private volatile boolean running;

    RedisClusterLimits(ObjectProvider<RedisConnectionFactory> connectionFactory, DikeProperties properties,
            Environment environment, ClusterInstrumentation instrumentation, DikeRegistry registry,
            DikeInstanceContexts contexts) {
        this.connectionFactory = connectionFactory;
        this.settings = properties.getLimit().getCluster();
        this.environment = environment;
        this.instrumentation = instrumentation;
        this.registry = registry;
        this.contexts = contexts;
    }

    @Override
    public synchronized ClusterLimiter limiter(String name, int limit, Duration maxWait) {
        ClusterLimits cluster = limits();
        boolean created = !cluster.limiters().containsKey(name);
        LimitListener listener = created && instrumentation != null ? instrumentation.limitListener(name) : LimitListener.NONE;
        ContextCarrier carrier = created && contexts != null ? contexts.limit(name) : null;
        ClusterLimiter limiter = cluster.limiter(name, limit, maxWait, listener, carrier);
        if (created && instrumentation != null) {
            instrumentation.bind(limiter);
        }
        return limiter;
    }

    @Override
    public SortedMap<String, ClusterLimitState> states() {
        ClusterLimits cluster = limits;
        SortedMap<String, ClusterLimitState> states = new TreeMap<>();
        if (cluster == null) {
            return states;
        }
        cluster.limiters().forEach((name, limiter) -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("clusterInFlight", limiter.clusterInFlight());
            details.put("instancesAlive", cluster.instancesAlive());
            details.put("fallback", !cluster.isAvailable());
            details.put("onUnavailable", cluster.onUnavailable().name().toLowerCase());
            details.put("leaseTime", cluster.leaseTime().toString());
            details.put("namespace", cluster.namespace());
            details.put("configuredLimit", limiter.configuredLimit());
            states.put(name, new ClusterLimitState(limiter.limit(), limiter.maxWait(), limiter.inFlight(),
                    limiter.available(), limiter.waiting(), limiter.permittedCount(), limiter.rejectedCount(), details));
        });
        return states;
    }

    @Override
    public void setLimit(String name, int limit) {
        ClusterLimits cluster = limits;
        ClusterLimiter limiter = cluster == null ? null : cluster.limiters().get(name);
        if (limiter == null) {
            throw new IllegalArgumentException("No cluster limiter named '" + name + "'");
        }
        try {
            limiter.setLimit(limit).get(cluster.leaseTime().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not change the cluster limit of '" + name + "' in Redis: "
                    + (e.getCause() != null ? e.getCause() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while changing the cluster limit of '" + name + "'", e);
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        ClusterLimits cluster = limits;
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** @return one above the connection factory's phase: stopped (closed) before it */
    @Override
    public int getPhase() {
        int factoryPhase = connectionFactory.getIfAvailable() instanceof SmartLifecycle lifecycle ? lifecycle.getPhase() : 0;
        return factoryPhase == Integer.MAX_VALUE ? factoryPhase : factoryPhase + 1;
    }

    @Override
    public void destroy() {
        stop();
        if (instrumentation != null) {
            instrumentation.close();
        }
    }

    private ClusterLimits limits() {
        if (limits == null) {
            limits = create();
        }
        return limits;
    }

    private ClusterLimits create() {
        Duration leaseTime = settings.getLeaseTime();
        if (leaseTime == null || leaseTime.compareTo(Duration.ofMillis(100)) < 0) {
            throw new DikeConfigurationException("Invalid dike.limit.cluster.lease-time '" + leaseTime
                    + "': a lease must last at least 100ms.",
                    "Set dike.limit.cluster.lease-time to a duration such as 10s (the default): a dead instance's permits "
                            + "come back within it.", null);
        }
        String namespace = settings.getNamespace() != null ? settings.getNamespace()
                : environment.getProperty("spring.application.name");
        if (namespace == null || namespace.isBlank()) {
            throw new DikeConfigurationException("Cluster limits need a namespace: neither dike.limit.cluster.namespace nor "
                    + "spring.application.name is set.",
                    "Set spring.application.name, or dike.limit.cluster.namespace to the name every instance of this "
                            + "service shares.", null);
        }
        RedisConnectionFactory factory = connectionFactory.getIfAvailable();
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            throw new DikeConfigurationException("Cluster limits (scope: cluster) need Spring Data Redis's Lettuce connection "
                    + "factory, but the context has " + (factory == null ? "no RedisConnectionFactory" : factory.getClass().getName())
                    + ".", "Add spring-boot-starter-data-redis (Lettuce is its default client) and configure spring.data.redis.*, "
                    + "or set the instances' scope to local.", null);
        }
        AbstractRedisClient client = lettuce.getRequiredNativeClient();
        if (!(client instanceof RedisClient redisClient)) {
            throw new DikeConfigurationException("Cluster limits support standalone and Sentinel Redis, not a Redis Cluster "
                    + "connection (" + client.getClass().getName() + ").",
                    "Point spring.data.redis at a standalone or Sentinel Redis, or set the instances' scope to local.", null);
        }
        ClusterLimits.Builder builder = ClusterLimits.builder(redisClient).namespace(namespace).leaseTime(leaseTime)
                .onUnavailable(settings.getOnUnavailable() == DikeProperties.OnUnavailableSetting.REJECT
                        ? OnUnavailable.REJECT : OnUnavailable.LOCAL)
                .scheduler(registry.scheduler());
        registry.executor().ifPresent(builder::executor);
        if (instrumentation != null) {
            builder.listener(instrumentation.clusterListener());
        }
        ClusterLimits built = builder.build();
        if (instrumentation != null) {
            instrumentation.bind(built);
        }
        return built;
    }
}
