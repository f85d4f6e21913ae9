package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.concurrent.CompletableFuture;

/** Binds {@code set-limit.lua}: changes one cluster limit and wakes every instance. Stateless. */
final class SetLimitScript {

    private static final LuaScript SCRIPT = LuaScript.load("set-limit.lua");

    private SetLimitScript() {
    }

    /** @return the previous cluster limit, or -1 if none was set */
    static CompletableFuture<Integer> run(RoundTrips roundTrips, RedisScriptingAsyncCommands<String, String> commands,
            KeyLayout.LimitKeys keys, int limit, long leaseMillis) {
        return roundTrips.script("set-limit", commands, SCRIPT, ScriptOutputType.INTEGER, keys.setLimit,
                new String[] { Integer.toString(limit), Long.toString(leaseMillis), keys.channel, keys.name },
                SetLimitScript::previous, null);
    }

    private static Integer previous(Long limit) {
        return Math.toIntExact(limit);
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
