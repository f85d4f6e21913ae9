package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisClients;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import io.lettuce.core.api.StatefulRedisConnection;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * With BlockHound installed, a cluster limit never blocks a Lettuce event-loop thread (Netty marks them
 * non-blocking through its own BlockHound integration) nor the executor's threads (Reactor's parallel threads): grants
 * after a wait woken by pub/sub, wait timeouts, releases, renewals and the operations' completions. A
 * control case proves that a blocking call in a Lettuce callback is caught.
 *
 * <p>Runs in the surefire execution {@code blockhound} of dike-redis's pom, whose JVM has
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods}.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterLimiterBlockHoundTest {

    private static final String JVM_FLAG = "-XX:+AllowRedefinitionToAddDeleteMethods";
    private static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();

    private final RedisServer server;
    private final Fleet fleet;
    /** Reactor's parallel threads are non-blocking threads for BlockHound (Reactor's own integration). */
    private final Scheduler parallel = Schedulers.parallel();
    private final Executor nonBlocking = task -> parallel.schedule(task);

    ClusterLimiterBlockHoundTest(RedisServer server) {
        this.server = server;
        this.fleet = new Fleet(server);
    }

    @BeforeAll
    static void installBlockHound() {
        boolean flagged = ManagementFactory.getRuntimeMXBean().getInputArguments().contains(JVM_FLAG);
        if (!flagged && Boolean.getBoolean("dike.blockhound.execution")) {
            throw new IllegalStateException("The surefire execution 'blockhound' must run the JVM with " + JVM_FLAG);
        }
        Assumptions.assumeTrue(flagged, "runs in dike-redis's surefire execution 'blockhound', whose JVM has " + JVM_FLAG);
        BlockHound.install(builder -> builder
                // Scheduling and cancelling a timer takes the JDK timer queue's lock for a heap operation
                // (see dike-core's NonBlockingBlockHoundTest).
                .allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove")
                // Lettuce 6.8 guards every command write with a ReentrantLock held for a few instructions (no
                // I/O), which parks a writer that meets another, whatever its thread: Lettuce's own design, the
                // same for any Lettuce user. An error thrown from inside that park leaves the lock's queue and
                // Lettuce's writer count behind, and every later write on the connection hangs (seen here in
                // one run of six before this line), so it is allowed like the timer queue above.
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive")
                .blockingMethodCallback(method -> {
                    BLOCKING_CALLS.add(method + " on " + Thread.currentThread().getName());
                    BlockingOperationError error = new BlockingOperationError(method);
                    error.printStackTrace(); // where it happened, in the test's output
                    throw error;
                }));
    }

    @BeforeEach
    void clear() {
        BLOCKING_CALLS.clear();
    }

    @AfterEach
    void close() {
        fleet.close();
    }

    @Test
    void controlCaseABlockingCallInALettuceCallbackIsDetected() throws Exception {
        try (RedisClients clients = new RedisClients()) {
            StatefulRedisConnection<String, String> connection = clients.create(server).connect();
            // Reactive, so the mapping is attached before the command is sent. It usually runs on the event loop
            // that decodes the reply, but Lettuce emits on the subscribing thread when the reply is already there
            // at the first request: so a few tries, until one ran on the event loop (one run in twelve needed two).
            for (int attempt = 0; attempt < 20 && BLOCKING_CALLS.isEmpty(); attempt++) {
                CompletableFuture<Object> blocked = connection.reactive().ping().<Object>map(pong -> {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return pong;
                }).toFuture();
                try {
                    blocked.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException detected) {
                    assertThat(detected).hasCauseInstanceOf(BlockingOperationError.class);
                }
            }
            assertThat(BLOCKING_CALLS).singleElement().asString().contains("sleep").contains("lettuce");
        }
    }

    @Test
    void waitsGrantsTimeoutsReleasesAndRenewalsNeverBlockAnEventLoopOrTheExecutor() throws Exception {
        ClusterLimiter one = fleet.start(Duration.ofMillis(600), builder -> builder.executor(nonBlocking))
                .limiter("hound", 2, Duration.ofSeconds(30), LimitListener.NONE);
        ClusterLimiter two = fleet.start(Duration.ofMillis(600), builder -> builder.executor(nonBlocking))
                .limiter("hound", 2, Duration.ofSeconds(30), LimitListener.NONE);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int value = i;
            ClusterLimiter limiter = i % 2 == 0 ? one : two;
            results.add(limiter.executeAsync(() -> {
                CompletableFuture<Integer> operation = new CompletableFuture<>();
                parallel.schedule(() -> operation.complete(value), value % 3, TimeUnit.MILLISECONDS);
                return operation;
            }));
        }
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i);
        }
        java.util.concurrent.atomic.AtomicInteger renewals = new java.util.concurrent.atomic.AtomicInteger();
        ClusterListener countRenewals = new ClusterListener() {
            @Override
            public void onRenewed(int leases) {
                renewals.incrementAndGet();
            }
        };
        ClusterLimiter shortWait = fleet.start(Duration.ofMillis(600), builder -> builder.executor(nonBlocking)
                        .listener(countRenewals))
                .limiter("hound-timeout", 1, Duration.ofMillis(20), LimitListener.NONE);
        ClusterPermit held = shortWait.acquire().get(10, TimeUnit.SECONDS);
        for (int round = 0; round < 10; round++) {
            CompletableFuture<ClusterPermit> rejected = shortWait.acquire();
            assertThatThrownBy(() -> rejected.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TooManyCallsException.class);
        }
        // Renewal round trips (every 200 ms here) come back on the event loop while the permit is held.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> renewals.get() >= 3);
        held.release();

        assertThat(BLOCKING_CALLS).isEmpty();
        assertThat(one.permittedCount() + two.permittedCount()).isEqualTo(200);
    }
}
