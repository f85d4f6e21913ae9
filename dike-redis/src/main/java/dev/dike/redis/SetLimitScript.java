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
    static CompletableFuture<Integer> run(RedisScriptingAsyncCommands<String, String> commands, KeyLayout keys,
            String name, int limit, long leaseMillis) {
        return SCRIPT.<Long>run(commands, ScriptOutputType.INTEGER, new String[] { keys.limit(name) },
                Integer.toString(limit), Long.toString(leaseMillis), keys.wakeUpChannel(), name)
                .thenApply(Math::toIntExact);
    }

    static LuaScript script() {
        return SCRIPT;
    }
}
