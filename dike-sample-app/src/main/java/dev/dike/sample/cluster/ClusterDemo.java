package dev.dike.sample.cluster;

import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.ClusterLimitFactory.ClusterLimitState;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster demo, run when the application starts with {@code --cluster-demo} and the
 * {@code cluster} profile: this instance loads itself ({@link ClusterLoad}) while other instances do
 * the same, all sharing the price lookup's limit through Redis, and prints once a second the permits
 * this instance holds, the cluster total as Redis last reported it, the instances alive, the permits
 * granted and rejected here, and the calls in flight at the backend, counted where every instance's
 * calls arrive ({@link BackendInFlight}). Afterwards the service keeps running.
 *
 * <p>Runs on the application's main thread, which it blocks between lines; never on a reactive thread.
 */
@Component
public class ClusterDemo implements ApplicationRunner {

    /** The command-line option that runs the demo. */
    public static final String OPTION = "cluster-demo";
    /** The {@code @LimitJobs} instance the demo watches: the price lookup's. */
    static final String LIMIT_NAME = "prices";

    private static final Duration LINE_PERIOD = Duration.ofSeconds(1);
    private static final Duration BACKEND_READ_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(5);

    private final ClusterDemoProperties settings;
    private final ObjectProvider<ClusterLimitFactory> clusterLimits;
    private final Environment environment;

    ClusterDemo(ClusterDemoProperties settings, ObjectProvider<ClusterLimitFactory> clusterLimits, Environment environment) {
        this.settings = settings;
        this.clusterLimits = clusterLimits;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        if (args.containsOption(OPTION)) {
            run(System.out);
        }
    }

    /**
     * Runs the demo against this application's port.
     *
     * @param out where the lines go
     * @return what this instance saw, or {@code null} if the price limit is not a cluster limit
     * @throws Exception if interrupted, or the load fails unexpectedly
     */
    Result run(PrintStream out) throws Exception {
        ClusterLimitFactory limits = clusterLimits.getIfAvailable();
        ClusterLimitState initial = limits == null ? null : limits.states().get(LIMIT_NAME);
        if (initial == null) {
            out.println("The cluster demo needs the price lookup's limit in cluster scope: start the application with "
                    + "--spring.profiles.active=cluster (see the README, \"Two instances, one limit\").");
            return null;
        }
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        String backendUrl = environment.getProperty("sample.inventory.url", "");
        if (backendUrl.isBlank()) {
            backendUrl = "http://127.0.0.1:" + port + "/backend";
        }
        WebClient backend = WebClient.create(backendUrl);
        out.printf(Locale.ROOT, "%nCluster demo, pid %d, port %d: %d callers send GET /prices/{sku}?batching=false for %s%n",
                ProcessHandle.current().pid(), port, settings.callers(), format(settings.duration()));
        out.printf(Locale.ROOT, "  @LimitJobs %s: limit %d in flight across the cluster (namespace %s, lease time %s)%n",
                LIMIT_NAME, initial.limit(), initial.cluster().get("namespace"), initial.cluster().get("leaseTime"));
        out.printf(Locale.ROOT, "  backend %s: its in-flight count covers every instance that calls it%n", backendUrl);
        out.println("   time  here  cluster  alive  permitted/s  rejected/s  backend in flight (peak)");
        Result result = new Result(0, 0, 0, 0, 0);
        try (ClusterLoad load = new ClusterLoad(port, settings)) {
            long start = System.nanoTime();
            CompletableFuture<Void> done = load.start();
            ClusterLimitState previous = initial;
            long previousNanos = start;
            Duration limit = settings.duration().plus(settings.requestTimeout()).plus(ANSWER_GRACE);
            for (int tick = 1; !done.isDone(); tick++) {
                long untilTick = start + tick * LINE_PERIOD.toNanos() - System.nanoTime();
                await(done, Math.max(0, untilTick));
                if (System.nanoTime() - start > limit.toNanos() && !done.isDone()) {
                    out.printf(Locale.ROOT, "  Requests still unanswered after %s: the machine is too busy.%n", format(limit));
                    break;
                }
                ClusterLimitState now = limits.states().get(LIMIT_NAME);
                long nowNanos = System.nanoTime();
                out.println(line((nowNanos - start) / 1e9, now, previous, (nowNanos - previousNanos) / 1e9,
                        backendLoad(backend)));
                result = result.seen(now);
                previous = now;
                previousNanos = nowNanos;
            }
            result = new Result(load.succeeded(), load.rejected(), load.failed(), result.mostHeldHere(),
                    result.mostInFlightInCluster());
            BackendInFlight.Load backendAfter = backendLoad(backend);
            out.printf(Locale.ROOT, "Load done: %,d answered 200, %,d rejected with 503, %,d failed; this instance held at "
                            + "most %d permits, the cluster %d of %d.%n", result.succeeded(), result.rejected(),
                    result.failed(), result.mostHeldHere(), result.mostInFlightInCluster(), previous.limit());
            if (backendAfter != null) {
                out.printf(Locale.ROOT, "Backend: at most %d calls in flight at once, from every instance together (limit %d).%n",
                        backendAfter.peak(), previous.limit());
            }
            out.printf(Locale.ROOT, "The service keeps running (Ctrl-C to stop): curl localhost:%d/actuator/dike/%s%n",
                    port, LIMIT_NAME);
        }
        return result;
    }

    private static String line(double seconds, ClusterLimitState now, ClusterLimitState previous, double sinceLast,
                               BackendInFlight.Load backend) {
        double interval = Math.max(sinceLast, 1e-3);
        String backendCell = backend == null ? "unreachable" : String.format(Locale.ROOT, "%3d (%d)",
                backend.inFlight(), backend.peak());
        return String.format(Locale.ROOT, "  %4.0fs  %4d  %3d/%-3d  %5s  %11.0f  %10.0f  %s%s", seconds, now.inFlight(),
                clusterInFlight(now), now.limit(), now.cluster().get("instancesAlive"),
                (now.permitted() - previous.permitted()) / interval, (now.rejected() - previous.rejected()) / interval,
                backendCell, Boolean.TRUE.equals(now.cluster().get("fallback"))
                        ? "  FALLBACK: Redis unreachable, a local share of the limit" : "");
    }

    private static int clusterInFlight(ClusterLimitState state) {
        Object value = state.cluster().get("clusterInFlight");
        return value instanceof Number number ? number.intValue() : -1;
    }

    /** @return the backend's in-flight count, or {@code null} if it did not answer (e.g. its instance was stopped) */
    private static BackendInFlight.Load backendLoad(WebClient backend) {
        try {
            return backend.get().uri(BackendInFlight.IN_FLIGHT).retrieve().bodyToMono(BackendInFlight.Load.class)
                    .block(BACKEND_READ_TIMEOUT);
        } catch (RuntimeException unreachable) {
            return null;
        }
    }

    private static void await(CompletableFuture<Void> done, long nanos) throws InterruptedException, ExecutionException {
        try {
            done.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException nextLine) {
            // time for the next line
        }
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    /**
     * What one instance saw during the demo.
     *
     * @param succeeded             requests answered 200
     * @param rejected              requests answered 503
     * @param failed                requests answered otherwise or not in time
     * @param mostHeldHere          the most permits this instance held at one line
     * @param mostInFlightInCluster the most leases in force across the cluster at one line, as Redis reported
     */
    record Result(long succeeded, long rejected, long failed, int mostHeldHere, int mostInFlightInCluster) {

        Result seen(ClusterLimitState state) {
            return new Result(succeeded, rejected, failed, Math.max(mostHeldHere, state.inFlight()),
                    Math.max(mostInFlightInCluster, clusterInFlight(state)));
        }
    }
}
