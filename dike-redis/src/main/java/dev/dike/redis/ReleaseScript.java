package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.concurrent.CompletableFuture;

/** Binds {@code release.lua}: removes one lease and, if some instance waits, publishes a wake-up. Stateless. */
final class ReleaseScript {

    private static final LuaScript SCRIPT = LuaScript.load("release.lua");

    private ReleaseScript() {
    }

    /** @return whether the lease was still held (false: it had expired or was lost with the data) */
    static CompletableFuture<Boolean> run(RoundTrips roundTrips, RedisScriptingAsyncCommands<String, String> commands,
            KeyLayout.LimitKeys keys, String leaseId) {
        return roundTrips.script("release", commands, SCRIPT, ScriptOutputType.INTEGER, keys.release,
                new String[] { leaseId, keys.channel, keys.name }, ReleaseScript::removed, null);
    }

    private static Boolean removed(Long count) {
        return count == 1L;
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
