package dev.dike.sample.demo;

import dev.dike.batch.BatchConfig;
import dev.dike.retry.RetryConfig;
import dev.dike.sample.backend.BackendProperties;
import dev.dike.sample.backend.BackendStats;
import dev.dike.sample.backend.InventoryBackend;
import dev.dike.spring.DikeRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The built-in load demo, run when the application starts with {@code --demo}: the same load twice,
 * with and without batching, against the service itself on localhost, with a live progress line
 * and a summary table. Every phase is bounded in time; the application exits afterwards.
 */
@Component
public class LoadDemo implements ApplicationRunner {

    /** The command-line option that runs the demo. */
    public static final String OPTION = "demo";

    private static final Duration PROGRESS_PERIOD = Duration.ofMillis(250);
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(5);
    private static final String RETRIES_METER = "dike.retry.attempts";

    private final DemoProperties settings;
    private final InventoryBackend backend;
    private final BackendProperties backendSettings;
    private final MeterRegistry meters;
    private final DikeRegistry registry;
    private final Environment environment;

    LoadDemo(DemoProperties settings, InventoryBackend backend, BackendProperties backendSettings,
             MeterRegistry meters, DikeRegistry registry, Environment environment) {
        this.settings = settings;
        this.backend = backend;
        this.backendSettings = backendSettings;
        this.meters = meters;
        this.registry = registry;
        this.environment = environment;
    }

    /**
     * @param args the command line
     * @return whether it asks for the demo
     */
    public static boolean requested(String... args) {
        return Arrays.asList(args).contains("--" + OPTION);
    }

    /**
     * Settings the demo needs unless the user sets them: a free port, so that it runs beside a
     * service already on 8080, and no retry WARN lines, which would break the progress line (the
     * summary counts the retries).
     *
     * @return default properties for {@code SpringApplication#setDefaultProperties}
     */
    public static Map<String, Object> defaultProperties() {
        return Map.of("server.port", "0", "logging.level.dev.dike.retry", "ERROR");
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        if (!args.containsOption(OPTION)) {
            return;
        }
        run(System.out);
    }

    /**
     * Runs the demo against this application's port.
     *
     * @param out where the progress and the summary go
     * @throws Exception if the demo's requests are not all answered in time, or it is interrupted
     */
    void run(PrintStream out) throws Exception {
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        try (LoadGenerator generator = new LoadGenerator(port, settings)) {
            out.printf(Locale.ROOT, "%nLoad demo: %,d requests/s for %s per phase, GET http://127.0.0.1:%d/prices/{sku}%n",
                    settings.rate(), format(settings.duration()), port);
            out.printf(Locale.ROOT, "Machine: %d CPUs, load average %.1f (the service, its backend and this load share them)%n",
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            if (!settings.warmup().isZero()) {
                out.printf(Locale.ROOT, "Warming up (%s per mode, not reported)...%n", format(settings.warmup()));
                await(out, generator.start(true, settings.warmup()), settings.warmup());
                await(out, generator.start(false, settings.warmup()), settings.warmup());
            }
            printSettings(out);
            List<PhaseResult> phases = List.of(
                    phase(out, generator, "batching on", true),
                    phase(out, generator, "batching off", false));
            out.println();
            out.print(SummaryTable.render(phases));
            out.println();
        }
    }

    private PhaseResult phase(PrintStream out, LoadGenerator generator, String label, boolean batched) throws Exception {
        BackendStats backendBefore = backend.stats();
        double retriesBefore = retries();
        LoadRun run = generator.start(batched, settings.duration());
        ProgressLine progress = new ProgressLine(out, label, run);
        // Printing may block on the terminal: keep it off the event loops and the load's timer.
        Disposable ticker = Flux.interval(PROGRESS_PERIOD, Schedulers.boundedElastic())
                .subscribe(tick -> progress.update(backend.stats().since(backendBefore)));
        try {
            await(out, run, settings.duration());
        } finally {
            ticker.dispose();
        }
        BackendStats backendDuring = backend.stats().since(backendBefore);
        progress.finish(backendDuring);
        return new PhaseResult(label, run, backendDuring, Math.round(retries() - retriesBefore));
    }

    /** @return the retries of every {@code @Retry} instance so far, from the starter's metrics */
    private double retries() {
        return meters.find(RETRIES_METER).counters().stream().mapToDouble(Counter::count).sum();
    }

    /**
     * Blocks the demo's own thread (the main thread), never a reactive one, until every answer is in;
     * on a machine too busy to answer in time, says so and lets the demo go on with what it has.
     */
    private void await(PrintStream out, LoadRun run, Duration sendingTime) throws InterruptedException, ExecutionException {
        Duration limit = sendingTime.plus(settings.requestTimeout()).plus(ANSWER_GRACE);
        try {
            run.done().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out.printf(Locale.ROOT, "%n  %,d requests still unanswered after %s: the machine is too busy; "
                    + "the figures below are partial.%n", run.inFlight(), format(limit));
        }
    }

    private void printSettings(PrintStream out) {
        out.println("Settings in force (application.yml):");
        registry.limiters().forEach((name, limiter) -> out.printf(Locale.ROOT,
                "  @LimitJobs %-14s limit %d in flight%n", name, limiter.limit()));
        registry.batchers().forEach((name, batcher) -> {
            BatchConfig config = batcher.config();
            out.printf(Locale.ROOT, "  @Batch     %-14s target %d SKUs, max wait %s, max concurrent batches %s%n",
                    name, config.targetBatchSize(), format(config.maxWaitingTime()),
                    config.maxConcurrentBatches() == BatchConfig.UNLIMITED ? "unlimited" : config.maxConcurrentBatches());
        });
        registry.retriers().forEach((name, retrier) -> {
            RetryConfig config = retrier.config();
            out.printf(Locale.ROOT, "  @Retry     %-14s %d attempts, delay %s, backoff x%s%n",
                    name, config.attempts(), format(config.delay()), config.backoff());
        });
        out.printf(Locale.ROOT, "  backend    %s + %s per SKU, %d workers, %.0f%% of calls fail with 503%n",
                format(backendSettings.getLatency()), format(backendSettings.getLatencyPerItem()),
                backendSettings.getWorkers(), backendSettings.getFailureRate() * 100);
    }

    private static String format(Duration duration) {
        if (duration.toNanos() % 1_000_000 != 0) {
            return String.format(Locale.ROOT, "%.1fms", duration.toNanos() / 1e6);
        }
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
