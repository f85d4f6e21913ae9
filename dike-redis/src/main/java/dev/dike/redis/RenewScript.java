package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Binds {@code renew.lua}: renews every lease of one instance and its heartbeat in one call, re-asserting
 * them all when the server's data set changed. Stateless.
 */
final class RenewScript {

    private static final LuaScript SCRIPT = LuaScript.load("renew.lua");

    private RenewScript() {
    }

    /**
     * What one instance holds of one limit.
     *
     * @param name       the limit's name
     * @param knownLimit the limit as the instance knows it, restored if the server lost it
     * @param leases     the leases the instance holds
     */
    record Held(String name, int knownLimit, List<HeldLease> leases) {
    }

    /**
     * One lease an instance holds.
     *
     * @param id       the lease id
     * @param fallback whether it was granted without the server (fallback), so must be added
     */
    record HeldLease(String id, boolean fallback) {
    }

    /**
     * The state of one limit after a renewal.
     *
     * @param limit the cluster limit in force
     * @param inUse the leases in force, cluster-wide
     * @param lost  the ids of the instance's leases that had expired and were not renewed
     */
    record LimitState(int limit, int inUse, List<String> lost) {
    }

    /**
     * The reply of one renewal.
     *
     * @param epoch      the server's data-set epoch
     * @param alive      the instances whose heartbeat is in force, this one included
     * @param reasserted whether every lease was added back because the epoch had changed
     * @param limits     the state of each limit, by name, in request order
     */
    record Renewal(String epoch, int alive, boolean reasserted, Map<String, LimitState> limits) {
    }

    static CompletableFuture<Renewal> run(RoundTrips roundTrips, RedisScriptingAsyncCommands<String, String> commands,
            KeyLayout keys, String instanceId, long leaseMillis, String knownEpoch, List<Held> held) {
        String[] keyNames = new String[2 + 2 * held.size()];
        keyNames[0] = keys.instances();
        keyNames[1] = keys.epoch();
        List<String> args = new ArrayList<>();
        args.add(instanceId);
        args.add(Long.toString(leaseMillis));
        args.add(knownEpoch == null ? "" : knownEpoch);
        for (int i = 0; i < held.size(); i++) {
            Held limit = held.get(i);
            keyNames[2 + 2 * i] = keys.leases(limit.name());
            keyNames[3 + 2 * i] = keys.limit(limit.name());
            args.add(Integer.toString(limit.knownLimit()));
            args.add(Integer.toString(limit.leases().size()));
            for (HeldLease lease : limit.leases()) {
                args.add(lease.id());
                args.add(lease.fallback() ? "1" : "0");
            }
        }
        return roundTrips.script("renew", commands, SCRIPT, ScriptOutputType.MULTI, keyNames, args.toArray(String[]::new),
                (List<Object> reply) -> parse(reply, held), null);
    }

    static Renewal parse(List<Object> reply, List<Held> held) {
        Map<String, LimitState> limits = new LinkedHashMap<>();
        int at = 3;
        for (Held limit : held) {
            int value = Math.toIntExact((Long) reply.get(at));
            int inUse = Math.toIntExact((Long) reply.get(at + 1));
            int lostCount = Math.toIntExact((Long) reply.get(at + 2));
            at += 3;
            List<String> lost = new ArrayList<>(lostCount);
            for (int i = 0; i < lostCount; i++) {
                lost.add((String) reply.get(at++));
            }
            limits.put(limit.name(), new LimitState(value, inUse, lost));
        }
        return new Renewal((String) reply.get(0), Math.toIntExact((Long) reply.get(1)), (Long) reply.get(2) == 1L, limits);
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
