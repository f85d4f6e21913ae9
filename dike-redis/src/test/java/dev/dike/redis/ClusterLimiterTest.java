package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
 * Several instances (each its own {@link ClusterLimits}, client and connections) sharing limits on a real
 * redis-server: the limit holds across them, waiting calls are woken by releases elsewhere, rejections
 * look like the local limiter's, and limits change for every instance.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterLimiterTest {

    /** Long enough that no renewal (every third of it) runs during a test: wake-ups must come from pub/sub. */
    private static final Duration LONG_LEASE = Duration.ofSeconds(30);

    private final Fleet fleet;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

    ClusterLimiterTest(RedisServer server) {
        this.fleet = new Fleet(server);
    }

    @AfterEach
    void close() {
        timers.shutdownNow();
        fleet.close();
    }

    @Test
    void threeInstancesUnderConcurrentLoadNeverRunMoreThanTheLimitAtOnce() throws Exception {
        int limit = 5;
        List<ClusterLimiter> limiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            limiters.add(fleet.start(LONG_LEASE).limiter("shared", limit, Duration.ofSeconds(60), LimitListener.NONE));
        }
        int maxRunning = Fleet.maxRunningUnderLoad(limiters, 150, timers);

        assertThat(maxRunning).isEqualTo(limit); // reached, never exceeded
        assertThat(limiters).allSatisfy(limiter -> assertThat(limiter.permittedCount()).isEqualTo(150));
        assertThat(limiters).allSatisfy(limiter -> assertThat(limiter.inFlight()).isZero());
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("shared"));
    }

    @Test
    void aFullLimitRejectsWithTheLocalLimitersExceptionAndMessage() throws Exception {
        ClusterLimiter first = fleet.start(LONG_LEASE).limiter("payments", 1, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter second = fleet.start(LONG_LEASE).limiter("payments", 1, Duration.ZERO, LimitListener.NONE);
        ClusterPermit held = first.acquire().get(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> second.call(() -> "never"))
                .isExactlyInstanceOf(TooManyCallsException.class)
                .hasMessage("Too many calls to payments! limit=1 exceeded");
        assertThat(second.rejectedCount()).isEqualTo(1);
        held.release(); // one round trip, not awaited: the other instance sees it once it is done
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("payments"));
        assertThat(second.call(() -> "ran")).isEqualTo("ran");
    }

    @Test
    void aCallWaitingOnOneInstanceIsWokenByAReleaseOnAnotherWithinMilliseconds() throws Exception {
        ClusterLimiter holder = fleet.start(LONG_LEASE).limiter("wake", 1, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter waiter = fleet.start(LONG_LEASE).limiter("wake", 1, Duration.ofSeconds(20), LimitListener.NONE);
        ClusterPermit held = holder.acquire().get(5, TimeUnit.SECONDS);
        CompletableFuture<ClusterPermit> waiting = waiter.acquire();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> waiter.waiting() == 1);

        long released = System.nanoTime();
        held.release();
        ClusterPermit granted = waiting.get(5, TimeUnit.SECONDS);

        // Renewals run every 10 s here: only the pub/sub wake-up can explain a grant within a second.
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(1));
        assertThat(granted.fencingToken()).isEqualTo(2);
        granted.release();
    }

    @Test
    void aWaitingCallIsRejectedAfterMaxWaitAndACancelledOneLeavesNoLease() throws Exception {
        ClusterLimiter limiter = fleet.start(LONG_LEASE).limiter("slow", 1, Duration.ofSeconds(2), LimitListener.NONE);
        ClusterPermit held = limiter.acquire().get(5, TimeUnit.SECONDS);
        CompletableFuture<ClusterPermit> timesOut = limiter.acquire();
        CompletableFuture<ClusterPermit> cancelled = limiter.acquire();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> limiter.waiting() == 2);
        cancelled.cancel(false);

        assertThatThrownBy(() -> timesOut.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseExactlyInstanceOf(TooManyCallsException.class);
        held.release();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.rejectedCount()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("slow"));
    }

    @Test
    void theFirstInstancesLimitAppliesToAllAndSetLimitChangesItForEveryInstance() throws Exception {
        ClusterLimiter first = fleet.start(LONG_LEASE).limiter("tuned", 1, Duration.ofSeconds(20), LimitListener.NONE);
        ClusterPermit held = first.acquire().get(5, TimeUnit.SECONDS);
        List<int[]> changes = new ArrayList<>();
        ClusterLimiter second = fleet.start(LONG_LEASE).limiter("tuned", 3, Duration.ofSeconds(20), new LimitListener() {
            @Override
            public void onLimitChanged(String name, int oldLimit, int newLimit) {
                changes.add(new int[] { oldLimit, newLimit });
            }
        });

        CompletableFuture<ClusterPermit> waiting = second.acquire(); // configured 3, but the cluster says 1
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> second.waiting() == 1);
        assertThat(second.limit()).isEqualTo(1);

        first.setLimit(2).get(5, TimeUnit.SECONDS); // raises it for everyone and wakes the waiting call
        ClusterPermit granted = waiting.get(5, TimeUnit.SECONDS);

        assertThat(second.limit()).isEqualTo(2);
        assertThat(changes).extracting(change -> change[1]).containsExactly(1, 2);
        granted.release();
        held.release();
    }

    @Test
    void everyAsyncCallerCompletesOnceAndTheOperationNeverRunsOnALettuceThread() throws Exception {
        ClusterLimiter limiter = fleet.start(LONG_LEASE).limiter("threads", 2, Duration.ofSeconds(10), LimitListener.NONE);
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            limiter.executeAsync(() -> {
                threads.add(Thread.currentThread().getName());
                return CompletableFuture.supplyAsync(() -> 1, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
            }).whenComplete((value, failure) -> done.countDown());
        }

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(50).noneMatch(name -> name.startsWith("lettuce"));
    }
}
