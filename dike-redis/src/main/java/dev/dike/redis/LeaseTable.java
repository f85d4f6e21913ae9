package dev.dike.redis;

import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The Redis side of the cluster limits of one namespace: the key layout ({@link KeyLayout}) and the
 * four scripts (acquire, release, renew, set-limit), each one round trip through {@link RoundTrips}. It has
 * no threads and no state besides the connection: every method sends one script and returns a future that
 * completes on a Lettuce event-loop thread (or the round trips' watchdog), whose callbacks must not block.
 */
final class LeaseTable {

    private final RedisAsyncCommands<String, String> commands;
    private final KeyLayout keys;
    private final long leaseMillis;
    /** {@link #leaseMillis} as the scripts' argument, built once. */
    private final String leaseMillisArg;
    private final RoundTrips roundTrips;

    LeaseTable(RedisAsyncCommands<String, String> commands, KeyLayout keys, long leaseMillis, RoundTrips roundTrips) {
        this.commands = commands;
        this.keys = keys;
        this.leaseMillis = leaseMillis;
        this.leaseMillisArg = Long.toString(leaseMillis);
        this.roundTrips = roundTrips;
    }

    /**
     * Reads and digests every script now, on the caller's thread: class initialization reads the class
     * path, which must never happen on an event loop at the first release or renewal.
     */
    static void loadScripts() {
        AcquireScript.script();
        ReleaseScript.script();
        RenewScript.script();
        SetLimitScript.script();
    }

    KeyLayout keys() {
        return keys;
    }

    /**
     * Grants as many of {@code leaseIds} (in order) as the limit has free; {@code wait}: the calls not granted
     * wait, so releases must publish a wake-up. A grant arriving after the round trip failed goes to {@code late}.
     */
    CompletableFuture<AcquireScript.Grant> acquire(KeyLayout.LimitKeys limit, String configuredLimit, boolean wait,
            String[] leaseIds, Consumer<? super AcquireScript.Grant> late) {
        return AcquireScript.run(roundTrips, commands, limit, leaseMillisArg, configuredLimit, wait, leaseIds, late);
    }

    /** Removes one lease and wakes the waiting instances; {@code false} if the lease was no longer there. */
    CompletableFuture<Boolean> release(KeyLayout.LimitKeys limit, String leaseId) {
        return ReleaseScript.run(roundTrips, commands, limit, leaseId);
    }

    /** Renews every lease an instance holds and its heartbeat. */
    CompletableFuture<RenewScript.Renewal> renew(String instanceId, String knownEpoch, List<RenewScript.Held> held) {
        return RenewScript.run(roundTrips, commands, keys, instanceId, leaseMillis, knownEpoch, held);
    }

    /** Sets a cluster limit for every instance; the previous one, or -1. */
    CompletableFuture<Integer> setLimit(KeyLayout.LimitKeys limit, int newLimit) {
        return SetLimitScript.run(roundTrips, commands, limit, newLimit, leaseMillis);
    }

    /** Removes an instance's heartbeat, so it no longer counts as alive. */
    CompletableFuture<Long> leave(String instanceId) {
        return roundTrips.command("leave", commands.zrem(keys.instances(), instanceId));
    }
}
