package dev.dike.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.util.concurrent.CompletableFuture;

/** Binds {@code release.lua}: removes one lease and publishes a wake-up. Stateless. */
final class ReleaseScript {

    private static final LuaScript SCRIPT = LuaScript.load("release.lua");

    private ReleaseScript() {
    }

    /** @return whether the lease was still held (false: it had expired or was lost with the data) */
    static CompletableFuture<Boolean> run(RedisScriptingAsyncCommands<String, String> commands, KeyLayout keys,
            String name, String leaseId) {
        return SCRIPT.<Long>run(commands, ScriptOutputType.INTEGER, new String[] { keys.leases(name) }, leaseId,
                keys.wakeUpChannel(), name).thenApply(removed -> removed == 1L);
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
