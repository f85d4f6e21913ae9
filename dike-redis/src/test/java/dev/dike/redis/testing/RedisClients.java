package dev.dike.redis.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Lettuce clients for one test, each a separate client with its own connections (as separate
 * application instances have), reconnecting every 100 ms so that fault tests recover quickly. Closes
 * them all at the end.
 */
public final class RedisClients implements AutoCloseable {

    private final ClientResources resources = ClientResources.builder()
            .reconnectDelay(Delay.constant(Duration.ofMillis(100))).build();
    private final List<RedisClient> clients = new ArrayList<>();

    /** @return a new client of the server */
    public synchronized RedisClient create(RedisServer server) {
        RedisClient client = RedisClient.create(resources, server.url());
        clients.add(client);
        return client;
    }

    @Override
    public synchronized void close() {
        for (RedisClient client : clients) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        clients.clear();
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
