package dev.dike.redis;

import java.util.Objects;

/**
 * The Redis keys of one namespace. Every key carries the namespace as a hash tag ({@code {ns}}), so
 * all keys of a namespace live in one slot and a script may touch several of them on a Redis Cluster.
 *
 * <pre>
 * dike:{ns}:instances           ZSET   instance id -> heartbeat expiry (ms, server clock)
 * dike:{ns}:epoch               STRING names the data set; a new value means the data was lost
 * dike:{ns}:released            channel: a limit's name, published when one of its leases is released
 * dike:{ns}:limit:NAME:leases   ZSET   lease id -> expiry (ms, server clock)
 * dike:{ns}:limit:NAME:limit    STRING the cluster limit
 * dike:{ns}:limit:NAME:fence    STRING grants so far: the last fencing token
 * dike:{ns}:limit:NAME:waiting  STRING present while some instance has calls waiting for a permit
 * </pre>
 * Every key expires three lease times after its last use, so a namespace that nobody uses any more
 * leaves nothing behind. Immutable.
 */
final class KeyLayout {

    private final String prefix;

    KeyLayout(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        this.prefix = "dike:{" + namespace + "}:";
    }

    String instances() {
        return prefix + "instances";
    }

    String epoch() {
        return prefix + "epoch";
    }

    String wakeUpChannel() {
        return prefix + "released";
    }

    String leases(String name) {
        return prefix + "limit:" + name + ":leases";
    }

    String limit(String name) {
        return prefix + "limit:" + name + ":limit";
    }

    String fence(String name) {
        return prefix + "limit:" + name + ":fence";
    }

    String waiting(String name) {
        return prefix + "limit:" + name + ":waiting";
    }

    /** @return the keys of one limit, built once so that a call builds no key */
    LimitKeys of(String name) {
        return new LimitKeys(name, new String[] { leases(name), limit(name), fence(name), epoch(), waiting(name) },
                new String[] { leases(name), waiting(name) }, new String[] { limit(name) }, wakeUpChannel());
    }

    /**
     * The keys of one limit in the order each script takes them. Immutable (the arrays are never written
     * after construction, nor handed to anyone who would).
     */
    static final class LimitKeys {

        final String name;
        /** {@code acquire.lua}'s KEYS: leases, limit, fence, epoch, waiting. */
        final String[] acquire;
        /** {@code release.lua}'s KEYS: leases, waiting. */
        final String[] release;
        /** {@code set-limit.lua}'s KEYS: limit. */
        final String[] setLimit;
        final String channel;

        private LimitKeys(String name, String[] acquire, String[] release, String[] setLimit, String channel) {
            this.name = name;
            this.acquire = acquire;
            this.release = release;
            this.setLimit = setLimit;
            this.channel = channel;
        }
    }
}
