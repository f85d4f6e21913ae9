package dev.dike.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.util.function.Consumer;

/**
 * Wakes waiting calls when a permit is freed anywhere in the cluster: {@code release.lua} and
 * {@code set-limit.lua} publish the limit's name on the namespace's channel, and every instance
 * subscribed to it drains that limit's waiting calls. Messages arrive on a Lettuce event-loop thread;
 * {@code onWakeUp} only starts an asynchronous acquisition and never blocks.
 *
 * <p>The subscription is kept by Lettuce's pub/sub connection, which restores it after a reconnect
 * (its {@code PubSubEndpoint} remembers the channels). Messages published while the connection was down
 * are lost; the cluster limits drain every waiting call when Redis is reachable again, and on every
 * renewal, so a lost message delays a waiting call by at most one renewal period.
 */
final class WakeUpChannel extends RedisPubSubAdapter<String, String> {

    private final String channel;
    private final Consumer<String> onWakeUp;
    private volatile StatefulRedisPubSubConnection<String, String> connection;

    WakeUpChannel(String channel, Consumer<String> onWakeUp) {
        this.channel = channel;
        this.onWakeUp = onWakeUp;
    }

    /** Subscribes on the connection; returns once the subscription is confirmed. */
    void subscribe(StatefulRedisPubSubConnection<String, String> pubSub) {
        this.connection = pubSub;
        pubSub.addListener(this);
        pubSub.sync().subscribe(channel);
    }

    @Override
    public void message(String from, String name) {
        if (channel.equals(from)) {
            onWakeUp.accept(name);
        }
    }

    void close() {
        StatefulRedisPubSubConnection<String, String> pubSub = connection;
        if (pubSub != null) {
            pubSub.removeListener(this);
            pubSub.close();
        }
    }
}
