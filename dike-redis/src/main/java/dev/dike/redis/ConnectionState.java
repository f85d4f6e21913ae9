package dev.dike.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis can be reached: {@link #available()} or not. Fed by the outcome of every round trip
 * (a reply, or a failure or timeout) and by Lettuce's connection events for this instance's own
 * command connection; Lettuce's watchdog does the reconnecting with its own backoff, and a reconnect
 * only asks for an early renewal, whose reply is what makes Redis available again (so a connection that
 * accepts commands but does not answer, a paused server, stays unavailable).
 *
 * <p>What an acquisition does in each state: available, it runs {@code acquire.lua}; unavailable, it
 * takes a local permit ({@link OnUnavailable#LOCAL}) or is rejected ({@link OnUnavailable#REJECT})
 * without a round trip, while the renewer keeps probing once per renewal period.
 *
 * <p>Thread-safe and lock-free: transitions are compare-and-sets, so each switch is logged (WARN when
 * lost, INFO when back), counted and reported exactly once, on the thread that observed it.
 */
final class ConnectionState implements RedisConnectionStateListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionState.class);

    /** Called once per switch, after the state changed. */
    interface Transitions {

        void lost();

        void regained();

        void reconnected();
    }

    private final String namespace;
    private final OnUnavailable onUnavailable;
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicLong switchesToFallback = new AtomicLong();
    private volatile Object connection;
    private volatile Transitions transitions;
    /** Set by {@link ClusterLimits#close()}: connections closing then are no loss of Redis. */
    private volatile boolean closed;

    ConnectionState(String namespace, OnUnavailable onUnavailable) {
        this.namespace = namespace;
        this.onUnavailable = onUnavailable;
    }

    void watchListener(Transitions transitions) {
        this.transitions = transitions;
    }

    /** Lettuce's events for this connection feed the state; other connections of the client are ignored. */
    void watchConnection(Object commandConnection) {
        this.connection = commandConnection;
    }

    /** @return whether the last round trip came back (and none failed since), and the limits are not closed */
    boolean available() {
        return available.get() && !closed;
    }

    /** @return how many times Redis became unavailable */
    long switchesToFallback() {
        return switchesToFallback.get();
    }

    /** The cluster limits are closing: from now on nothing is a switch, logged or reported. */
    void close() {
        closed = true;
    }

    /** A reply came back. Called for every reply: costs one volatile read while available. */
    void succeeded() {
        if (!available.get() && !closed && available.compareAndSet(false, true)) {
            LOG.info("Redis is reachable again: cluster limits of namespace '{}' are exact again", namespace);
            Transitions listener = transitions;
            if (listener != null) {
                listener.regained();
            }
        }
    }

    /** A round trip failed or timed out, or the connection was lost. */
    void failed(Throwable cause) {
        if (!closed && available.compareAndSet(true, false)) {
            switchesToFallback.incrementAndGet();
            LOG.warn("Redis cannot be reached ({}): cluster limits of namespace '{}' fall back to on-unavailable={}"
                    + " until it answers again", cause.toString(), namespace, onUnavailable.name().toLowerCase());
            Transitions listener = transitions;
            if (listener != null) {
                listener.lost();
            }
        }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        Transitions listener = transitions;
        if (handler == connection && listener != null) {
            listener.reconnected();
        }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (handler == connection) {
            failed(new IllegalStateException("connection to Redis lost"));
        }
    }
}
