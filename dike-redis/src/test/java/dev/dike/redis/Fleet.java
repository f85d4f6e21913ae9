package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.redis.testing.RedisClients;
import dev.dike.redis.testing.RedisServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Several application instances in one JVM: each a {@link ClusterLimits} with its own Lettuce client
 * and connections, all in one namespace of one {@link RedisServer}. Closes them at the end.
 */
final class Fleet implements AutoCloseable {

    /**
     * Generous, for a busy CI machine: if this JVM or Redis stalls for longer, an instance switches to its
     * fallback (documented), which tests that count permits must not see by accident.
     */
    static final Duration ROUND_TRIP_TIMEOUT = Duration.ofSeconds(3);

    private final RedisServer server;
    private final RedisClients clients = new RedisClients();
    private final List<ClusterLimits> instances = new ArrayList<>();

    Fleet(RedisServer server) {
        this.server = server;
    }

    /** Starts an instance with the given lease time and the builder's other defaults, changed by {@code settings}. */
    ClusterLimits start(Duration leaseTime, UnaryOperator<ClusterLimits.Builder> settings) {
        ClusterLimits limits = settings.apply(ClusterLimits.builder(clients.create(server)).namespace("fleet")
                .leaseTime(leaseTime).roundTripTimeout(ROUND_TRIP_TIMEOUT)).build();
        instances.add(limits);
        return limits;
    }

    ClusterLimits start(Duration leaseTime) {
        return start(leaseTime, UnaryOperator.identity());
    }

    /** @return the lease ids of a limit in Redis now */
    @SuppressWarnings("unchecked")
    List<String> leasesInRedis(String name) {
        return (List<String>) server.command("ZRANGE", new KeyLayout("fleet").leases(name), "0", "-1");
    }

    /**
     * Starts {@code rounds} calls on each limiter at once, each an operation of 0.2 to 2 ms, and waits for all.
     *
     * @return the most operations that ran at once across all limiters, counted independently of them
     */
    static int maxRunningUnderLoad(List<ClusterLimiter> limiters, int rounds, ScheduledExecutorService timers)
            throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (ClusterLimiter limiter : limiters) {
                calls.add(limiter.executeAsync(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    CompletableFuture<Integer> done = new CompletableFuture<>();
                    timers.schedule(() -> {
                        running.decrementAndGet();
                        done.complete(1);
                    }, ThreadLocalRandom.current().nextInt(200, 2_000), TimeUnit.MICROSECONDS);
                    return done;
                }));
            }
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        return maxRunning.get();
    }

    /** Asserts that no lease of {@code name} is left in Redis. */
    void assertNoLeases(String name) {
        assertThat(leasesInRedis(name)).as("leases of %s left in Redis", name).isEmpty();
    }

    @Override
    public void close() {
        instances.forEach(ClusterLimits::close);
        clients.close();
    }
}
