package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;
import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clock skew between instances (docs/cluster.md's failure table): dike-redis reads no wall clock, and the only
 * client time source is each instance's {@link DelayScheduler}. Here every instance gets its own skewed one
 * (a day ahead, a day behind, running fast or slow), and still: the limit holds exactly across them, every lease
 * expires by the Redis server's clock (its score is the server's {@code TIME} plus the lease time, whatever the
 * instance's clock says), and a frozen holder's permits come back after the lease time measured by Redis.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClockSkewTest {

    private static final long DAY_NANOS = TimeUnit.DAYS.toNanos(1);

    private final RedisServer server;
    private final Fleet fleet;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

    ClockSkewTest(RedisServer server) {
        this.server = server;
        this.fleet = new Fleet(server);
    }

    @AfterEach
    void close() {
        timers.shutdownNow();
        fleet.close();
    }

    @Test
    void instancesWhoseClocksAreADayApartOrRunFastOrSlowHoldTheLimitExactly() throws Exception {
        int limit = 4;
        List<ClusterLimiter> limiters = new ArrayList<>();
        for (SkewedScheduler clock : List.of(new SkewedScheduler(DAY_NANOS, 1.0), new SkewedScheduler(-DAY_NANOS, 1.0),
                new SkewedScheduler(0, 1.5), new SkewedScheduler(7 * DAY_NANOS, 0.75))) {
            limiters.add(fleet.start(Duration.ofSeconds(10), builder -> clock.on(builder))
                    .limiter("skewed", limit, Duration.ofSeconds(60), LimitListener.NONE));
        }
        int maxRunning = Fleet.maxRunningUnderLoad(limiters, 30, timers);

        assertThat(maxRunning).isEqualTo(limit); // reached, never exceeded
        assertThat(limiters).allSatisfy(limiter -> assertThat(limiter.permittedCount()).isEqualTo(30));
        // Never in fallback (whose local permits may exceed the limit by design): every permit came from Redis.
        assertThat(limiters).allSatisfy(limiter -> assertThat(limiter.cluster().fallbackCount()).isZero());
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("skewed"));
    }

    @Test
    void leasesExpireByTheRedisServersClockWhateverTheHoldersClockSays() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        SkewedScheduler aheadClock = new SkewedScheduler(30 * DAY_NANOS, 4.0);
        ClusterLimiter holder = fleet.start(lease, builder -> aheadClock.on(builder))
                .limiter("expiry", 2, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter other = fleet.start(lease, builder -> new SkewedScheduler(-30 * DAY_NANOS, 0.5).on(builder))
                .limiter("expiry", 2, Duration.ZERO, LimitListener.NONE);

        long before = redisMillis();
        holder.acquire().get(5, TimeUnit.SECONDS);
        holder.acquire().get(5, TimeUnit.SECONDS);
        long after = redisMillis();
        // The expiry is the server's TIME plus the lease time: the holder's clock, a month ahead, plays no part.
        for (String score : leaseScores("expiry")) {
            assertThat(Long.parseLong(score)).isBetween(before + lease.toMillis(), after + lease.toMillis());
        }

        aheadClock.freeze(); // the holder stops renewing, as if paused: its permits are never released
        long frozenAt = redisMillis();
        assertThatThrownBy(() -> other.acquire().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseExactlyInstanceOf(TooManyCallsException.class);
        // Meaningful only if it was asked before the leases could expire, by the server's clock.
        assertThat(redisMillis()).isLessThan(before + lease.toMillis());

        ClusterPermit taken = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> tryAcquire(other), permit -> permit != null);
        // The permits came back once the lease expired on the server's clock: not before, and not a month later.
        assertThat(redisMillis()).isGreaterThanOrEqualTo(frozenAt).isGreaterThan(before + lease.toMillis());
        taken.release();
    }

    private static ClusterPermit tryAcquire(ClusterLimiter limiter) throws InterruptedException {
        try {
            return limiter.acquire().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException rejected) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private long redisMillis() {
        List<String> time = (List<String>) server.command("TIME");
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    @SuppressWarnings("unchecked")
    private List<String> leaseScores(String name) {
        List<String> withScores = (List<String>) server.command("ZRANGE", new KeyLayout("fleet").leases(name), "0", "-1",
                "WITHSCORES");
        List<String> scores = new ArrayList<>();
        for (int i = 1; i < withScores.size(); i += 2) {
            scores.add(withScores.get(i));
        }
        assertThat(scores).hasSize(2);
        return scores;
    }

    /**
     * A clock offset from the real one and running {@code rate} times as fast, with a scheduler that fires when
     * that clock reaches a task's time. Frozen, it runs no task any more (an instance that stopped).
     */
    static final class SkewedScheduler implements DelayScheduler {

        private final long origin = System.nanoTime();
        private final long offsetNanos;
        private final double rate;
        private volatile boolean frozen;

        SkewedScheduler(long offsetNanos, double rate) {
            this.offsetNanos = offsetNanos;
            this.rate = rate;
        }

        void freeze() {
            frozen = true;
        }

        /**
         * Gives an instance this clock, and a round-trip timeout of 10 s in real time: these tests are about
         * clocks, and a loaded machine must not send an instance into fallback.
         */
        ClusterLimits.Builder on(ClusterLimits.Builder builder) {
            return builder.scheduler(this).roundTripTimeout(Duration.ofMillis((long) (10_000 * rate)));
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            long realDelay = (long) (unit.toNanos(delay) / rate);
            return DelayScheduler.system().schedule(() -> {
                if (!frozen) {
                    task.run();
                }
            }, realDelay, TimeUnit.NANOSECONDS);
        }

        @Override
        public long nanoTime() {
            return origin + offsetNanos + (long) ((System.nanoTime() - origin) * rate);
        }
    }
}
