package dev.dike.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script of {@code dev/dike/redis/}, read and digested once. {@link RoundTrips#script} runs it by
 * {@code EVALSHA} and, when the server does not know the script ({@code NOSCRIPT}: first use,
 * {@code SCRIPT FLUSH}, restart), by {@code EVAL}, which also loads it for the next calls. Immutable and
 * thread-safe.
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String digest;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.digest = sha1(source);
    }

    /** Reads {@code dev/dike/redis/<file>} from the class path. */
    static LuaScript load(String file) {
        try (InputStream in = LuaScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("Missing script dev/dike/redis/" + file + " on the class path");
            }
            return new LuaScript(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read script " + file, e);
        }
    }

    /** @return the file name, for messages and metrics */
    String name() {
        return name;
    }

    /** @return the SHA-1 digest that {@code EVALSHA} uses */
    String digest() {
        return digest;
    }

    /** @return the script's text, which {@code EVAL} sends */
    String source() {
        return source;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + ", " + digest + "]";
    }
}
