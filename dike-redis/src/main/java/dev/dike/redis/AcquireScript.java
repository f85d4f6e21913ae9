package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Binds {@code acquire.lua}: grants up to {@code leaseIds.size()} leases of one limit. Stateless. */
final class AcquireScript {

    private static final LuaScript SCRIPT = LuaScript.load("acquire.lua");

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

    static CompletableFuture<Grant> run(RedisScriptingAsyncCommands<String, String> commands, KeyLayout keys,
            String name, long leaseMillis, int configuredLimit, List<String> leaseIds) {
        String[] args = new String[2 + leaseIds.size()];
        args[0] = Long.toString(leaseMillis);
        args[1] = Integer.toString(configuredLimit);
        for (int i = 0; i < leaseIds.size(); i++) {
            args[2 + i] = leaseIds.get(i);
        }
        String[] keyNames = { keys.leases(name), keys.limit(name), keys.fence(name), keys.epoch() };
        return SCRIPT.<List<Object>>run(commands, ScriptOutputType.MULTI, keyNames, args).thenApply(AcquireScript::parse);
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
