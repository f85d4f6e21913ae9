package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Binds {@code acquire.lua}: grants up to {@code leaseIds.length} leases of one limit. Stateless. */
final class AcquireScript {

    private static final LuaScript SCRIPT = LuaScript.load("acquire.lua");
    private static final int FIRST_ID = 3;

    private AcquireScript() {
    }

    /**
     * The reply of one acquisition.
     *
     * @param limit  the cluster limit in force
     * @param inUse  the leases in force after this call, cluster-wide
     * @param epoch  the server's data-set epoch
     * @param tokens the fencing tokens of the granted leases, one per grant, for the first lease ids
     */
    record Grant(int limit, int inUse, String epoch, long[] tokens) {

        int granted() {
            return tokens.length;
        }
    }

    /**
     * @param leaseMillis     the lease time in milliseconds, as the script's argument
     * @param configuredLimit the limit this instance is configured with, as the script's argument
     * @param wait            whether the calls not granted now wait for a permit (so releases must wake them)
     * @param leaseIds        the lease ids to grant, in order
     * @param late            receives a grant that arrived after its round trip failed, or {@code null}
     */
    static CompletableFuture<Grant> run(RoundTrips roundTrips, RedisScriptingAsyncCommands<String, String> commands,
            KeyLayout.LimitKeys keys, String leaseMillis, String configuredLimit, boolean wait, String[] leaseIds,
            Consumer<? super Grant> late) {
        String[] args = new String[FIRST_ID + leaseIds.length];
        args[0] = leaseMillis;
        args[1] = configuredLimit;
        args[2] = wait ? "1" : "0";
        System.arraycopy(leaseIds, 0, args, FIRST_ID, leaseIds.length);
        return roundTrips.script("acquire", commands, SCRIPT, ScriptOutputType.MULTI, keys.acquire, args,
                AcquireScript::parse, late);
    }

    static Grant parse(List<Object> reply) {
        long[] tokens = new long[reply.size() - 3];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (Long) reply.get(3 + i);
        }
        return new Grant(Math.toIntExact((Long) reply.get(0)), Math.toIntExact((Long) reply.get(1)),
                (String) reply.get(2), tokens);
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
