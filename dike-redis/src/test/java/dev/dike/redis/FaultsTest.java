package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults of real processes: an instance killed with SIGKILL, Redis restarted without its data, Redis
 * down or paused under both {@link OnUnavailable} settings. Each test is named after the fault and the
 * outcome. Leases are short (2 s) so that expiry-based recovery happens within the test.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class FaultsTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    private final RedisServer server;
    private final Fleet fleet;
    private final List<Process> children = new ArrayList<>();

    FaultsTest(RedisServer server) {
        this.server = server;
        this.fleet = new Fleet(server);
    }

    @BeforeEach
    void needsFaults() {
        Assumptions.assumeTrue(server.canInjectFaults(), "needs a redis-server this test may kill and restart");
    }

    @AfterEach
    void close() {
        children.forEach(Process::destroyForcibly);
        fleet.close();
    }

    @Test
    void holderKilledWithSigkill_itsPermitsGoToOthersWithinTheLeaseTime_limitNeverExceeded() throws Exception {
        int limit = 4;
        Process doomed = startHolder("crash", limit, 2);
        Process survivor = startHolder("crash", limit, 1);
        List<String> doomedLeases = heldLeases(doomed);
        List<String> survivorLeases = heldLeases(survivor);
        ClusterLimiter parent = fleet.start(LEASE).limiter("crash", limit, Duration.ofSeconds(30), LimitListener.NONE);
        ClusterPermit mine = parent.acquire().get(10, TimeUnit.SECONDS);
        LeaseGauge gauge = new LeaseGauge("crash", limit);
        gauge.start();
        ClusterPermit a;
        ClusterPermit b;
        Duration recovered;
        try {
            CompletableFuture<ClusterPermit> first = parent.acquire();
            CompletableFuture<ClusterPermit> second = parent.acquire();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> parent.waiting() == 2);
            long killed = System.nanoTime();
            doomed.destroyForcibly(); // SIGKILL: no release, no goodbye
            doomed.waitFor(10, TimeUnit.SECONDS);
            a = first.get(20, TimeUnit.SECONDS);
            b = second.get(20, TimeUnit.SECONDS);
            recovered = Duration.ofNanos(System.nanoTime() - killed);
        } finally {
            gauge.stop();
        }

        // The leases expire at most one lease time after the last renewal; the waiting calls are drained
        // at the next renewal (a third of the lease time); allow a second of scheduling on a busy machine.
        assertThat(recovered).isLessThan(LEASE.plus(LEASE.dividedBy(3)).plusSeconds(1));
        assertThat(gauge.maxSeen()).isLessThanOrEqualTo(limit);
        assertThat(fleet.leasesInRedis("crash")).containsAll(survivorLeases).doesNotContainAnyElementsOf(doomedLeases)
                .contains(mine.leaseId(), a.leaseId(), b.leaseId()).hasSize(limit);
    }

    @Test
    void redisRestartedWithoutItsData_everyHeldLeaseIsReassertedAndTheLimitIsExact() throws Exception {
        ClusterLimits one = fleet.start(LEASE);
        ClusterLimits two = fleet.start(LEASE);
        ClusterLimiter first = one.limiter("restart", 4, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter second = two.limiter("restart", 4, Duration.ZERO, LimitListener.NONE);
        List<String> held = new ArrayList<>();
        for (ClusterLimiter limiter : List.of(first, first, second)) {
            held.add(limiter.acquire().get(10, TimeUnit.SECONDS).leaseId());
        }

        server.shutdownNoSave();
        server.start();

        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(fleet.leasesInRedis("restart")).containsExactlyInAnyOrderElementsOf(held));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> one.isAvailable() && two.isAvailable());
        ClusterPermit last = second.acquire().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> first.acquire().get(10, TimeUnit.SECONDS)).hasCauseExactlyInstanceOf(TooManyCallsException.class);
        assertThat(fleet.leasesInRedis("restart")).hasSize(4).contains(last.leaseId());
    }

    @Test
    void redisDown_onUnavailableLocal_eachInstanceTakesItsShareThenLeasesAreAddedWhenRedisIsBack() throws Exception {
        ClusterLimits one = fleet.start(LEASE);
        ClusterLimits two = fleet.start(LEASE);
        ClusterLimiter first = one.limiter("down", 4, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter second = two.limiter("down", 4, Duration.ZERO, LimitListener.NONE);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> one.instancesAlive() == 2 && two.instancesAlive() == 2);

        server.kill();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !one.isAvailable());
        ClusterPermit a = first.acquire().get(10, TimeUnit.SECONDS);
        ClusterPermit b = first.acquire().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> first.acquire().get(10, TimeUnit.SECONDS)) // ceil(4 / 2 alive) = 2 each
                .hasCauseExactlyInstanceOf(TooManyCallsException.class);
        assertThat(a.isFallback()).isTrue();
        assertThat(one.fallbackCount()).isEqualTo(1);

        server.start();
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(fleet.leasesInRedis("down")).containsExactlyInAnyOrder(a.leaseId(), b.leaseId()));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(two::isAvailable);
        second.acquire().get(10, TimeUnit.SECONDS);
        second.acquire().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> second.acquire().get(10, TimeUnit.SECONDS)).hasCauseExactlyInstanceOf(TooManyCallsException.class);
        a.release();
        b.release();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fleet.leasesInRedis("down").size() == 2);
    }

    @Test
    void redisPaused_onUnavailableReject_callsAreRejectedAsUnavailableThenServedWhenItAnswersAgain() throws Exception {
        ClusterLimits limits = fleet.start(LEASE, builder -> builder.onUnavailable(OnUnavailable.REJECT));
        ClusterLimiter limiter = limits.limiter("paused", 3, Duration.ZERO, LimitListener.NONE);
        limiter.acquire().get(10, TimeUnit.SECONDS).release();

        server.pause(); // SIGSTOP: the connection stays open, nothing is answered
        try {
            ExecutionException rejected = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> limiter.acquire().get(10, TimeUnit.SECONDS));
            assertThat(rejected.getCause()).isInstanceOf(ClusterUnavailableException.class)
                    .hasMessage("Too many calls to paused! cluster limit=3 unavailable: Redis cannot be reached and "
                            + "on-unavailable is reject");
            assertThat(limits.isAvailable()).isFalse();
        } finally {
            server.resume();
        }

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(limits::isAvailable);
        ClusterPermit permit = limiter.acquire().get(10, TimeUnit.SECONDS);
        assertThat(permit.isFallback()).isFalse();
        permit.release();
        // The acquisition that timed out during the pause was answered late, and released at once.
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("paused"));
    }

    private Process startHolder(String name, int limit, int permits) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), PermitHolder.class.getName(), server.url(), "fleet", name,
                String.valueOf(limit), String.valueOf(permits), String.valueOf(LEASE.toMillis()),
                String.valueOf(Fleet.ROUND_TRIP_TIMEOUT.toMillis()))
                .redirectErrorStream(true).start();
        children.add(process);
        return process;
    }

    /** Reads the child's output until it reports the permits it holds. */
    private static List<String> heldLeases(Process process) throws Exception {
        CompletableFuture<List<String>> held = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder seen = new StringBuilder();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("HELD")) {
                        return Arrays.asList(line.substring(5).split(" "));
                    }
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException("The permit holder exited without holding permits:\n" + seen);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return held.get(60, TimeUnit.SECONDS);
    }

    /** Polls the number of leases in Redis, independently of every instance, and records the largest. */
    private final class LeaseGauge {

        private final String name;
        private final AtomicInteger max = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        LeaseGauge(String name, int limit) {
            this.name = name;
            this.thread = new Thread(() -> {
                while (running.get()) {
                    max.accumulateAndGet(fleet.leasesInRedis(name).size(), Math::max);
                }
            }, "lease-gauge");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        int maxSeen() {
            return max.get();
        }
    }
}
