package dev.dike.redis;

import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The Redis side of the cluster limits of one namespace: the key layout ({@link KeyLayout}) and the
 * four scripts (acquire, release, renew, set-limit), each one round trip. It has no threads and no
 * state besides the connection: every method sends one script and returns a future that completes on a
 * Lettuce event-loop thread, whose callbacks must not block. Every round trip is reported to the
 * {@link ClusterListener} with its duration and outcome.
 */
final class LeaseTable {

    private final RedisAsyncCommands<String, String> commands;
    private final KeyLayout keys;
    private final long leaseMillis;
    private final ClusterListener listener;
    private final LongSupplier nanoTime;

    LeaseTable(RedisAsyncCommands<String, String> commands, KeyLayout keys, long leaseMillis,
            ClusterListener listener, LongSupplier nanoTime) {
        this.commands = commands;
        this.keys = keys;
        this.leaseMillis = leaseMillis;
        this.listener = listener;
        this.nanoTime = nanoTime;
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

    /** Grants as many of {@code leaseIds} (in order) as the limit {@code name} has free. */
    CompletableFuture<AcquireScript.Grant> acquire(String name, int configuredLimit, List<String> leaseIds) {
        return timed("acquire", AcquireScript.run(commands, keys, name, leaseMillis, configuredLimit, leaseIds));
    }

    /** Removes one lease and wakes the waiting instances; {@code false} if the lease was no longer there. */
    CompletableFuture<Boolean> release(String name, String leaseId) {
        return timed("release", ReleaseScript.run(commands, keys, name, leaseId));
    }

    /** Renews every lease an instance holds and its heartbeat. */
    CompletableFuture<RenewScript.Renewal> renew(String instanceId, String knownEpoch, List<RenewScript.Held> held) {
        return timed("renew", RenewScript.run(commands, keys, instanceId, leaseMillis, knownEpoch, held));
    }

    /** Sets a cluster limit for every instance; the previous one, or -1. */
    CompletableFuture<Integer> setLimit(String name, int limit) {
        return timed("set-limit", SetLimitScript.run(commands, keys, name, limit, leaseMillis));
    }

    /** Removes an instance's heartbeat, so it no longer counts as alive. */
    CompletableFuture<Long> leave(String instanceId) {
        return timed("leave", commands.zrem(keys.instances(), instanceId).toCompletableFuture());
    }

    private <T> CompletableFuture<T> timed(String operation, CompletableFuture<T> reply) {
        long start = nanoTime.getAsLong();
        return reply.whenComplete((value, failure) -> listener.onRoundTrip(operation, nanoTime.getAsLong() - start,
                failure == null));
    }
}
