package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.redis.testing.RedisServer;
import dev.dike.time.DelayScheduler;
import dev.dike.redis.testing.RedisServerExtension;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.awaitility.Awaitility;

/**
 * Each script against a real redis-server: what it grants, renews, reports and publishes (a release only
 * while some instance waits), and that it still runs after the server forgot its scripts ({@code SCRIPT FLUSH}) or all its data (restart).
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ScriptsTest {

    private static final long LEASE_MILLIS = 10_000;

    private final RedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisAsyncCommands<String, String> commands;
    private final KeyLayout keys = new KeyLayout("scripts");
    private final RoundTrips roundTrips = new RoundTrips(DelayScheduler.system(), Duration.ofSeconds(5),
            ClusterListener.NONE, new ConnectionState("scripts", OnUnavailable.LOCAL));

    ScriptsTest(RedisServer server) {
        this.server = server;
    }

    @BeforeEach
    void connect() {
        client = RedisClient.create(server.url());
        connection = client.connect();
        commands = connection.async();
    }

    @AfterEach
    void disconnect() {
        connection.close();
        client.shutdown();
    }

    @Test
    void acquireGrantsUpToTheLimitThenNothingWithIncreasingFencingTokens() throws Exception {
        AcquireScript.Grant first = acquire("a", 3, 10, "i:1", "i:2");
        AcquireScript.Grant second = acquire("a", 3, 10, "i:3", "i:4");

        assertThat(first.granted()).isEqualTo(2);
        assertThat(first.tokens()).containsExactly(1, 2);
        assertThat(second.granted()).isEqualTo(1);
        assertThat(second.tokens()).containsExactly(3);
        assertThat(second.inUse()).isEqualTo(3);
        assertThat(server.command("ZRANGE", keys.leases("a"), "0", "-1")).isEqualTo(List.of("i:1", "i:2", "i:3"));
        assertThat(acquire("a", 3, 10, "i:5").granted()).isZero();
    }

    @Test
    void theFirstInstancesLimitIsStoredAndWinsOverAnotherConfiguredOne() throws Exception {
        acquire("a", 2, 10, "i:1");
        AcquireScript.Grant other = acquire("a", 5, 10, "j:1", "j:2", "j:3");

        assertThat(other.limit()).isEqualTo(2);
        assertThat(other.granted()).isEqualTo(1);
    }

    @Test
    void expiredLeasesAreTakenOverByTheServersClock() throws Exception {
        acquire("a", 1, 300, "dead:1");
        assertThat(acquire("a", 1, 300, "i:1").granted()).isZero();

        // The lease expires 300 ms after the grant on the server's clock; no renewal extends it.
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> acquire("a", 1, 300, "i:1").granted() == 1);
        assertThat(server.command("ZRANGE", keys.leases("a"), "0", "-1")).isEqualTo(List.of("i:1"));
    }

    @Test
    void releaseRemovesOnlyItsLeaseAndPublishesTheNameOnlyWhileSomeoneWaits() throws Exception {
        acquire("a", 2, 10, "i:1", "i:2");
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
        WakeUpChannel channel = new WakeUpChannel(keys.wakeUpChannel(), messages::add);
        channel.subscribe(pubSub);
        try {
            assertThat(release("a", "i:1")).isTrue();
            assertThat(messages.poll(200, TimeUnit.MILLISECONDS)).isNull(); // nobody waits: no message to anyone
            AcquireScript.Grant rejected = AcquireScript.run(roundTrips, commands, keys.of("a"),
                    Long.toString(LEASE_MILLIS), "2", false, new String[] { "k:1", "k:2" }, null).get(5, TimeUnit.SECONDS);
            assertThat(rejected.granted()).isEqualTo(1); // k:2 was not granted, but its call does not wait
            assertThat(server.command("EXISTS", keys.waiting("a"))).isEqualTo("0");
            assertThat(release("a", "k:1")).isTrue();
            assertThat(messages.poll(200, TimeUnit.MILLISECONDS)).isNull();

            assertThat(acquire("a", 2, 10, "j:1", "j:2").granted()).isEqualTo(1); // j:2 waits
            assertThat(release("a", "j:1")).isTrue();
            assertThat(messages.poll(5, TimeUnit.SECONDS)).isEqualTo("a");
            assertThat(release("a", "j:1")).isFalse();
            assertThat(messages.poll(200, TimeUnit.MILLISECONDS)).isNull(); // nothing freed, nobody woken
            assertThat(server.command("ZRANGE", keys.leases("a"), "0", "-1")).isEqualTo(List.of("i:2"));
        } finally {
            channel.close();
        }
    }

    @Test
    void renewalReportsLeasesThatExpiredAndAddsFallbackLeasesAndTheHeartbeat() throws Exception {
        AcquireScript.Grant grant = acquire("a", 5, 10, "i:1");
        server.command("ZREM", keys.leases("a"), "i:1"); // as if it had expired and been purged

        RenewScript.Renewal renewal = renew(grant.epoch(), new RenewScript.Held("a", 5,
                List.of(new RenewScript.HeldLease("i:1", false), new RenewScript.HeldLease("i:2", true))));

        assertThat(renewal.reasserted()).isFalse();
        assertThat(renewal.alive()).isEqualTo(1);
        assertThat(renewal.limits().get("a")).isEqualTo(new RenewScript.LimitState(5, 1, List.of("i:1")));
        assertThat(server.command("ZRANGE", keys.leases("a"), "0", "-1")).isEqualTo(List.of("i:2"));
        assertThat(server.command("ZRANGE", keys.instances(), "0", "-1")).isEqualTo(List.of("me"));
    }

    @Test
    void renewalAfterTheDataWasLostReassertsEveryLeaseAndTheLimit() throws Exception {
        AcquireScript.Grant grant = acquire("a", 2, 10, "i:1", "i:2");
        server.flushAll();

        RenewScript.Renewal renewal = renew(grant.epoch(), new RenewScript.Held("a", 2,
                List.of(new RenewScript.HeldLease("i:1", false), new RenewScript.HeldLease("i:2", false))));

        assertThat(renewal.reasserted()).isTrue();
        assertThat(renewal.epoch()).isNotEqualTo(grant.epoch());
        assertThat(renewal.limits().get("a")).isEqualTo(new RenewScript.LimitState(2, 2, List.of()));
        assertThat(acquire("a", 2, 10, "i:3").granted()).isZero();
    }

    @Test
    void setLimitChangesItForEveryoneAndWakesThem() throws Exception {
        acquire("a", 1, 10, "i:1");
        assertThat(SetLimitScript.run(roundTrips, commands, keys.of("a"), 3, LEASE_MILLIS).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(acquire("a", 1, 10, "j:1", "j:2", "j:3").granted()).isEqualTo(2);
    }

    @Test
    void everyScriptRunsAgainAfterScriptFlush() throws Exception {
        acquire("a", 2, 10, "i:1");
        server.command("SCRIPT", "FLUSH");
        for (LuaScript script : List.of(AcquireScript.script(), ReleaseScript.script(), RenewScript.script(),
                SetLimitScript.script())) {
            assertThat(server.command("SCRIPT", "EXISTS", script.digest())).isEqualTo(List.of("0"));
        }

        assertThat(acquire("a", 2, 10, "i:2").granted()).isEqualTo(1);
        assertThat(release("a", "i:2")).isTrue();
        assertThat(renew(null, new RenewScript.Held("a", 2, List.of(new RenewScript.HeldLease("i:1", false))))
                .limits().get("a").inUse()).isEqualTo(1);
        assertThat(SetLimitScript.run(roundTrips, commands, keys.of("a"), 4, LEASE_MILLIS).get(5, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(server.command("SCRIPT", "EXISTS", AcquireScript.script().digest())).isEqualTo(List.of("1"));
    }

    @Test
    void scriptsRunAfterTheServerRestartedWithoutItsData() throws Exception {
        Assumptions.assumeTrue(server.canInjectFaults(), "needs a server this test may restart");
        AcquireScript.Grant before = acquire("a", 2, 10, "i:1");
        server.shutdownNoSave();
        server.start();

        AcquireScript.Grant after = acquire("a", 2, 10, "i:2");

        assertThat(after.granted()).isEqualTo(1);
        assertThat(after.inUse()).isEqualTo(1); // i:1 was lost with the data; the renewal re-asserts it
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
    }

    private AcquireScript.Grant acquire(String name, int limit, long leaseMillis, String... ids) throws Exception {
        return AcquireScript.run(roundTrips, commands, keys.of(name), Long.toString(leaseMillis == 10 ? LEASE_MILLIS : leaseMillis),
                Integer.toString(limit), true, ids, null).get(5, TimeUnit.SECONDS);
    }

    private boolean release(String name, String id) throws Exception {
        return ReleaseScript.run(roundTrips, commands, keys.of(name), id).get(5, TimeUnit.SECONDS);
    }

    private RenewScript.Renewal renew(String epoch, RenewScript.Held... held) throws Exception {
        return RenewScript.run(roundTrips, commands, keys, "me", LEASE_MILLIS, epoch, List.of(held)).get(5, TimeUnit.SECONDS);
    }
}
