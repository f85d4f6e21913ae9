package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.limit.LimitListener;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults of the code around the cluster limits, on a real redis-server: {@code close()} called on a Lettuce
 * thread, a cancel that strikes just as a call starts waiting, and listeners that throw {@code Error}s. Each
 * test is named after the fault and the expected outcome.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class CallerFaultsTest {

    private static final Duration LONG_LEASE = Duration.ofSeconds(30);

    private final Fleet fleet;

    CallerFaultsTest(RedisServer server) {
        this.fleet = new Fleet(server);
    }

    @AfterEach
    void close() {
        fleet.close();
    }

    @Test
    void closeCalledOnALettuceThread_isRefusedAndClosesNothing() throws Exception {
        AtomicReference<ClusterLimits> self = new AtomicReference<>();
        AtomicBoolean closeNow = new AtomicBoolean();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        ClusterLimits limits = fleet.start(LONG_LEASE, builder -> builder.listener(new ClusterListener() {
            @Override
            public void onRoundTrip(String operation, long nanos, boolean succeeded) {
                // A reply's callback: runs on the event loop that must deliver close()'s own round trip.
                if (Thread.currentThread().getName().startsWith("lettuce") && closeNow.compareAndSet(true, false)) {
                    try {
                        self.get().close();
                        outcome.complete(null);
                    } catch (Throwable refused) {
                        outcome.complete(refused);
                    }
                }
            }
        }));
        self.set(limits);
        ClusterLimiter limiter = limits.limiter("close", 2, Duration.ZERO, LimitListener.NONE);

        closeNow.set(true);
        limiter.acquire().get(5, TimeUnit.SECONDS).release();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ClusterLimits.close() of namespace 'fleet' was called on the Netty thread lettuce");
        ClusterPermit permit = limiter.acquire().get(5, TimeUnit.SECONDS);
        assertThat(permit.isFallback()).isFalse();
        permit.release();
        assertThat(limits.isAvailable()).isTrue();
    }

    @Test
    void aCallCancelledJustAsItStartsWaiting_neverMakesTheWaitingCountNegative() throws Exception {
        ClusterLimiter limiter = fleet.start(LONG_LEASE).limiter("count", 1, Duration.ofSeconds(30), LimitListener.NONE);
        ClusterPermit held = limiter.acquire().get(5, TimeUnit.SECONDS);
        AtomicReference<CompletableFuture<ClusterPermit>> call = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger(Integer.MIN_VALUE);
        // Strikes after the call's state says waiting and before it is queued: the count must already include it.
        // (It may run inside acquire() itself, when the reply came before the callback was attached.)
        limiter.afterStartWaiting = waiting -> {
            waiting.cancel(false);
            seen.set(limiter.waiting());
        };

        call.set(limiter.acquire()); // the limit is full: its reply makes it wait, and the hook cancels it

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != Integer.MIN_VALUE);
        limiter.afterStartWaiting = null;
        assertThat(seen.get()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(call.get()).isCancelled();
        held.release();
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("count"));
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aClusterListenerThrowingAnError_neverTurnsARoundTripIntoAFailureOrCostsAPermit() throws Exception {
        ClusterLimits limits = fleet.start(LONG_LEASE, builder -> builder.listener(new ClusterListener() {
            @Override
            public void onRoundTrip(String operation, long nanos, boolean succeeded) {
                throw new StackOverflowError("a broken metrics hook");
            }
        }));
        ClusterLimiter limiter = limits.limiter("broken", 2, Duration.ZERO, LimitListener.NONE);

        for (int i = 0; i < 3; i++) {
            ClusterPermit permit = limiter.acquire().get(5, TimeUnit.SECONDS);
            assertThat(permit.isFallback()).as("granted by Redis, not in fallback").isFalse();
            permit.release();
        }

        assertThat(limits.fallbackCount()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("broken"));
    }

    @Test
    void aLimitListenerThrowingAnError_neverCostsACallerItsCompletionOrAPermit() throws Exception {
        ClusterLimiter limiter = fleet.start(LONG_LEASE).limiter("brokenLimit", 1, Duration.ZERO, new LimitListener() {
            @Override
            public void onPermitted(String name, long waitNanos) {
                throw new StackOverflowError("a broken metrics hook");
            }
        });

        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture(7)).get(5, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(limiter.executeAsync(() -> CompletableFuture.completedFuture(8)).get(5, TimeUnit.SECONDS)).isEqualTo(8);

        assertThat(limiter.inFlight()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("brokenLimit"));
    }
}
