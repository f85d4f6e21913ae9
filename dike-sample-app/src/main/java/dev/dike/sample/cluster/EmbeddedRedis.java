package dev.dike.sample.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * A real {@code redis-server} child process for the sample's cluster mode, started with
 * {@code sample.redis.embedded=true}: the binary that the {@code com.github.codemonstur:embedded-redis}
 * artifact ships for this platform (Redis 6.2), listening on loopback only, with persistence off, so
 * that two sample instances can share one limit without installing anything.
 *
 * <p>Started by its constructor on the application's startup thread, stopped (SIGTERM, then waiting
 * for the process to exit) when the context closes; the library also stops it from a JVM shutdown
 * hook. A JVM killed with SIGKILL cannot stop it: the {@code redis-server} process is then left
 * running, and the next instance started with {@code sample.redis.embedded=true} on that port fails
 * at startup saying so.
 */
final class EmbeddedRedis implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

    private final int port;
    private final RedisServer server;

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @param host the host Spring Data Redis connects to, which must be this machine
     * @param port the port to listen on, which must be free
     * @throws IllegalStateException naming the setting to change, if the host is not local, the port
     *                               is taken, or the server does not start
     */
    EmbeddedRedis(String host, int port) {
        requireLoopback(host);
        requireFree(port);
        this.port = port;
        try {
            String binary = ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
            // "--save ''" and "--appendonly no": nothing is written to disk, a restart starts empty.
            this.server = new RedisServer(port, List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"), false);
            server.start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("sample.redis.embedded=true: could not start redis-server on 127.0.0.1:" + port
                    + " (" + e.getMessage() + "). Start a Redis yourself and drop sample.redis.embedded, "
                    + "or set spring.data.redis.port to another port.", e);
        }
        LOG.info("Embedded redis-server started on 127.0.0.1:{}; other instances connect with --spring.data.redis.port={} "
                + "(without --sample.redis.embedded)", port, port);
    }

    /** @return the port the server listens on */
    int port() {
        return port;
    }

    /** Stops the server: its data is gone. */
    @Override
    public void destroy() throws IOException {
        server.stop();
        LOG.info("Embedded redis-server on 127.0.0.1:{} stopped", port);
    }

    private static void requireLoopback(String host) {
        boolean local;
        try {
            local = InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException unknownHost) {
            local = false;
        }
        if (!local) {
            throw new IllegalStateException("sample.redis.embedded=true starts redis-server on this machine, but "
                    + "spring.data.redis points at host '" + host + "'. Drop spring.data.redis.host/url (localhost "
                    + "is the default), or drop sample.redis.embedded to use that Redis.");
        }
    }

    private static void requireFree(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalStateException("sample.redis.embedded=true needs a fixed port for the other instances to "
                    + "connect to, but spring.data.redis.port is " + port + ". Set it between 1 and 65535 (default 6379).");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException taken) {
            throw new IllegalStateException("sample.redis.embedded=true: port " + port + " on 127.0.0.1 is taken, "
                    + "perhaps by a Redis another instance started. To join that Redis, start this instance "
                    + "without --sample.redis.embedded; to start another one, set spring.data.redis.port to a free port.",
                    taken);
        }
    }
}
