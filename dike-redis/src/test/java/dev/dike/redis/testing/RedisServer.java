package dev.dike.redis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code redis-server} for tests: a child process started from the binary that the
 * {@code com.github.codemonstur:embedded-redis} artifact ships, on a free loopback port, persistence off;
 * or, when the environment variable {@code DIKE_TEST_REDIS_URL} ({@code redis://host:port}) is set, that
 * server, which the test neither starts nor stops (faults are then unavailable: {@link #canInjectFaults()}).
 *
 * <p>Faults: {@link #kill()} (SIGKILL), {@link #shutdownNoSave()} then {@link #start()} (same port, data
 * lost), {@link #pause()}/{@link #resume()} (SIGSTOP/SIGCONT). Not thread-safe: one test thread drives it.
 * Talks to the server with a few lines of RESP over a socket, so it needs no client library.
 */
public final class RedisServer implements AutoCloseable {

    /** The environment variable naming an external server to use instead of starting one. */
    public static final String URL_VARIABLE = "DIKE_TEST_REDIS_URL";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String host;
    private final int port;
    private final boolean external;
    private Process process;

    private RedisServer(String host, int port, boolean external) {
        this.host = host;
        this.port = port;
        this.external = external;
    }

    /** @return a server on a free port, started; or the external one named by {@value #URL_VARIABLE} */
    public static RedisServer startNew() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            java.net.URI uri = java.net.URI.create(url.trim());
            RedisServer server = new RedisServer(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), true);
            server.awaitPing();
            return server;
        }
        RedisServer server = new RedisServer("127.0.0.1", freePort(), false);
        server.start();
        return server;
    }

    /** @return the host the server listens on */
    public String host() {
        return host;
    }

    /** @return the port the server listens on */
    public int port() {
        return port;
    }

    /** @return {@code redis://host:port} */
    public String url() {
        return "redis://" + host + ":" + port;
    }

    /** @return whether this test started the server, and so may kill, pause and restart it */
    public boolean canInjectFaults() {
        return !external;
    }

    /** Starts the server (again, on the same port) and waits until it answers PING. */
    public void start() {
        requireOwn();
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is already running");
        }
        List<String> command = new ArrayList<>(List.of(Binary.path().toString(), "--port", String.valueOf(port),
                "--bind", host, "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
                "--loglevel", "warning"));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + command, e);
        }
        awaitPing();
    }

    /** Sends {@code SHUTDOWN NOSAVE} and waits until the process has exited: its data is gone. */
    public void shutdownNoSave() {
        requireOwn();
        try {
            command("SHUTDOWN", "NOSAVE");
        } catch (IllegalStateException connectionClosedByShutdown) {
            // the server closes the connection instead of answering
        }
        awaitExit();
    }

    /** Kills the process with SIGKILL and waits until it has exited. */
    public void kill() {
        requireOwn();
        signal("KILL");
        awaitExit();
    }

    /** Stops the process with SIGSTOP: connections stay open, nothing is answered. */
    public void pause() {
        signal("STOP");
    }

    /** Continues a process stopped by {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    /** Deletes every key (and keeps the server running). */
    public void flushAll() {
        command("FLUSHALL");
    }

    /**
     * Runs one command and returns its reply: a simple string, an integer as text, a bulk string
     * ({@code null} for nil) or an array as a {@code List}.
     */
    public Object command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("Redis command " + String.join(" ", args) + " on port " + port + " failed", e);
        }
    }

    /** Stops a server this test started (SIGKILL; resumed first if paused). */
    @Override
    public void close() {
        if (!external && process != null && process.isAlive()) {
            resume();
            process.destroyForcibly();
            awaitExit();
        }
    }

    private static Object readReply(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("connection closed");
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+':
            case ':':
                return rest;
            case '-':
                throw new IllegalStateException("Redis error: " + rest);
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                char[] data = new char[length];
                int read = 0;
                while (read < length) {
                    int n = in.read(data, read, length - read);
                    if (n < 0) {
                        throw new IOException("connection closed");
                    }
                    read += n;
                }
                in.readLine();
                return new String(data);
            }
            case '*': {
                int count = Integer.parseInt(rest);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply " + line);
        }
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server on " + url() + " did not answer PING within "
                            + START_TIMEOUT, notYet);
                }
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("redis-server on " + url() + " exited with " + process.exitValue());
            }
            sleepBriefly();
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on " + url() + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void signal(String signal) {
        requireOwn();
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void requireOwn() {
        if (external) {
            throw new IllegalStateException("The Redis server at " + url() + " comes from " + URL_VARIABLE
                    + ": this test cannot start, stop or signal it");
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20); // polling a starting child process; nothing to wait on instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return a port free on the loopback interface now */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The redis-server binary for this platform, copied once out of the embedded-redis jar. */
    static final class Binary {

        private static Path path;

        static synchronized Path path() {
            if (path == null) {
                String resource = resourceName();
                try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
                    if (in == null) {
                        throw new IllegalStateException("No " + resource + " on the class path: add the test dependency "
                                + "com.github.codemonstur:embedded-redis, or set " + URL_VARIABLE);
                    }
                    Path file = Files.createTempFile("dike-redis-server-", "");
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    if (!file.toFile().setExecutable(true)) {
                        throw new IllegalStateException("Cannot make " + file + " executable");
                    }
                    file.toFile().deleteOnExit();
                    path = file;
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot extract " + resource, e);
                }
            }
            return path;
        }

        private static String resourceName() {
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            boolean arm = arch.contains("aarch64") || arch.contains("arm");
            if (os.contains("win")) {
                return "redis-server-5.0.14.1-windows-amd64.exe";
            }
            if (os.contains("mac") || os.contains("darwin")) {
                return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
            }
            if (arm) {
                return "redis-server-6.2.7-linux-arm64";
            }
            return arch.contains("64") ? "redis-server-6.2.6-v5-linux-amd64" : "redis-server-6.2.7-linux-386";
        }
    }
}
