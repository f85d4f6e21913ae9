package dev.dike.sample.demo;

import dev.dike.batch.BatchConfig;
import dev.dike.limit.adaptive.AdaptiveConfig;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.sample.backend.BackendProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The built-in load demo, run when the application starts with {@code --demo}: load sent to the
 * service on localhost, with a live progress line and a summary table per comparison, then exit.
 * The comparisons ({@link DemoProperties#phases()}):
 * <ul>
 *   <li>{@code batching}: the same load with and without batching, against this application;</li>
 *   <li>{@code capacity}: the backend's workers halve mid-run, once with the fixed limit of
 *       {@code @LimitJobs prices} and once with an adaptive one;</li>
 *   <li>{@code outage}: the backend fails every call for a few seconds, once without and once with
 *       the retry budget of {@code @Retry inventory}.</li>
 * </ul>
 * A run that needs other dike settings than this application's runs against a sibling started with
 * those settings changed ({@link DemoTarget}), so the two runs of a comparison differ in nothing
 * else; the outage runs always get fresh siblings, so that no earlier traffic sits in a budget's
 * window. Every phase is bounded in time.
 */
@Component
public class LoadDemo implements ApplicationRunner {

    /** The command-line option that runs the demo. */
    public static final String OPTION = "demo";

    static final String LIMIT = "prices";
    static final String ADAPTIVE = "dike.limit.instances." + LIMIT + ".adaptive.enabled";
    static final String BUDGET = "dike.retry.instances." + Counts.RETRY + ".budget.enabled";

    private static final Duration SAMPLE_PERIOD = Duration.ofMillis(50);
    private static final int SAMPLES_PER_PROGRESS = 5;
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(5);

    private final DemoProperties settings;
    private final ApplicationContext context;
    private final ConfigurableEnvironment environment;

    LoadDemo(DemoProperties settings, ApplicationContext context, ConfigurableEnvironment environment) {
        this.settings = settings;
        this.context = context;
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
     * Runs the demo's comparisons against this application's port, and siblings' ports.
     *
     * @param out where the progress and the summaries go
     * @throws Exception if the demo's requests are not all answered in time, or it is interrupted
     */
    void run(PrintStream out) throws Exception {
        DemoTarget self = DemoTarget.of(context);
        out.printf(Locale.ROOT, "%nLoad demo: GET http://127.0.0.1:%d/prices/{sku}, %s per phase; comparisons: %s%n",
                self.port(), format(settings.duration()), String.join(", ", settings.phases()));
        out.printf(Locale.ROOT, "Machine: %d CPUs, load average %.1f (the service, its backend and this load share them)%n",
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        printSettings(out, self);
        if (settings.runs("batching")) {
            batching(out, self);
        }
        if (settings.runs("capacity")) {
            capacity(out, self);
        }
        if (settings.runs("outage")) {
            outage(out, self);
        }
    }

    /** The same load with batching on and off, against this application. */
    private void batching(PrintStream out, DemoTarget self) throws Exception {
        out.printf(Locale.ROOT, "%n[batching] %,d requests/s, with and without batching%n", settings.rate());
        try (LoadGenerator generator = new LoadGenerator(self.port(), settings)) {
            warmUp(out, generator, true, settings.rate());
            warmUp(out, generator, false, settings.rate());
            List<PhaseResult> phases = List.of(
                    measure(out, self, generator, "batching on", true, settings.rate(), settings.duration()),
                    measure(out, self, generator, "batching off", false, settings.rate(), settings.duration()));
            printTable(out, phases, SummaryTable.BATCHING);
        }
    }

    /** The backend's workers halve mid-run: once with a fixed limit, once with an adaptive one. */
    private void capacity(PrintStream out, DemoTarget self) throws Exception {
        int workers = settings.capacityWorkers();
        out.printf(Locale.ROOT, "%n[capacity] %,d requests/s without batching; the backend has %d workers "
                        + "(%,.0f calls/s), then %d (%,.0f calls/s); no injected failures%n",
                settings.capacityRate(), workers, callsPerSecond(self, workers), workers / 2,
                callsPerSecond(self, workers / 2));
        boolean adaptive = self.registry().findAdaptiveLimit(LIMIT).isPresent();
        List<PhaseResult> phases = new ArrayList<>();
        try (DemoTarget fixed = adaptive ? sibling(out, self, Map.of(ADAPTIVE, "false")) : self) {
            phases.addAll(capacityRun(out, "fixed", fixed));
        }
        try (DemoTarget adapting = adaptive ? self : sibling(out, self, Map.of(ADAPTIVE, "true"))) {
            phases.addAll(capacityRun(out, "adaptive", adapting));
        }
        printTable(out, phases, SummaryTable.CAPACITY);
    }

    private List<PhaseResult> capacityRun(PrintStream out, String label, DemoTarget target) throws Exception {
        out.println("  " + label + ": " + describeLimit(target));
        int workers = settings.capacityWorkers();
        return runSteps(out, target, settings.capacityRate(), backend -> {
                    backend.setFailureRate(0);
                    backend.setWorkers(workers);
                },
                new Step(label + ", " + workers + " workers", settings.duration(), backend -> { }),
                new Step(label + ", " + workers / 2 + " workers", settings.duration(),
                        backend -> backend.setWorkers(workers / 2)));
    }

    /** The backend fails every call for a while, then recovers: without and with a retry budget. */
    private void outage(PrintStream out, DemoTarget self) throws Exception {
        out.printf(Locale.ROOT, "%n[outage] %,d requests/s without batching; the backend fails every call "
                + "for %s (HTTP 503 without Retry-After), then recovers for %s%n",
                settings.outageRate(), format(settings.outage()), format(settings.duration()));
        List<PhaseResult> phases = new ArrayList<>();
        try (DemoTarget unbudgeted = sibling(out, self, Map.of(BUDGET, "false"))) {
            phases.addAll(outageRun(out, "no budget", unbudgeted));
        }
        try (DemoTarget budgeted = sibling(out, self, Map.of(BUDGET, "true"))) {
            phases.addAll(outageRun(out, "budget", budgeted));
        }
        printTable(out, phases, SummaryTable.OUTAGE);
    }

    private List<PhaseResult> outageRun(PrintStream out, String label, DemoTarget target) throws Exception {
        out.println("  " + label + ": " + describeRetry(target));
        double failureRate = target.backendSettings().getFailureRate();
        Duration retryAfter = target.backendSettings().getRetryAfter();
        return runSteps(out, target, settings.outageRate(), backend -> { },
                // Down: a backend that is down cannot say when it will be back.
                new Step(label + ": outage", settings.outage(), backend -> {
                    backend.setFailureRate(1);
                    backend.setRetryAfter(Duration.ZERO);
                }),
                new Step(label + ": after", settings.duration(), backend -> {
                    backend.setFailureRate(failureRate);
                    backend.setRetryAfter(retryAfter);
                }));
    }

    /** One phase of a run: its column heading, how long it sends, and what it changes in the backend first. */
    private record Step(String label, Duration duration, Consumer<BackendProperties> backendChange) {
    }

    /**
     * Runs phases one after the other against a target, each at {@code rate} requests/s without
     * batching, after a warm-up with the backend as {@code setup} leaves it; then restores the
     * backend's settings.
     */
    private List<PhaseResult> runSteps(PrintStream out, DemoTarget target, int rate,
                                       Consumer<BackendProperties> setup, Step... steps) throws Exception {
        BackendProperties backend = target.backendSettings();
        int workers = backend.getWorkers();
        double failureRate = backend.getFailureRate();
        Duration retryAfter = backend.getRetryAfter();
        List<PhaseResult> phases = new ArrayList<>();
        try (LoadGenerator generator = new LoadGenerator(target.port(), settings)) {
            setup.accept(backend);
            warmUp(out, generator, false, rate);
            for (Step step : steps) {
                step.backendChange().accept(backend);
                phases.add(measure(out, target, generator, step.label(), false, rate, step.duration()));
            }
            return phases;
        } finally {
            backend.setWorkers(workers);
            backend.setFailureRate(failureRate);
            backend.setRetryAfter(retryAfter);
        }
    }

    /** Starts a sibling whose backend behaves as this application's does now, settings changed at runtime included. */
    private DemoTarget sibling(PrintStream out, DemoTarget self, Map<String, String> changes) {
        out.println("  (starting a second instance of the service with " + changes + ")");
        DemoTarget sibling = DemoTarget.sibling(environment, changes);
        sibling.backendSettings().copyFrom(self.backendSettings());
        return sibling;
    }

    private void warmUp(PrintStream out, LoadGenerator generator, boolean batched, int rate)
            throws InterruptedException, ExecutionException {
        if (!settings.warmup().isZero()) {
            out.printf(Locale.ROOT, "  warming up, batching %s, %s (not reported)%n", batched ? "on" : "off",
                    format(settings.warmup()));
            await(out, generator.start(batched, rate, settings.warmup()), settings.warmup());
        }
    }

    /**
     * Sends one phase's load and waits for every answer; meanwhile samples the limit in force and
     * shows the progress.
     */
    private PhaseResult measure(PrintStream out, DemoTarget target, LoadGenerator generator, String label,
                                boolean batched, int rate, Duration duration) throws Exception {
        Counts before = Counts.of(target);
        LimitSamples limit = new LimitSamples();
        LoadRun run = generator.start(batched, rate, duration);
        ProgressLine progress = new ProgressLine(out, label, run);
        // Printing may block on the terminal: keep it off the event loops and the load's timer.
        Disposable ticker = Flux.interval(SAMPLE_PERIOD, Schedulers.boundedElastic()).subscribe(tick -> {
            limit.add(target.gauge("dike.limit.limit", "name", LIMIT));
            if (tick % SAMPLES_PER_PROGRESS == SAMPLES_PER_PROGRESS - 1) {
                progress.update(target.backend().stats().since(before.backend()), limit.last());
            }
        });
        try {
            await(out, run, duration);
        } finally {
            ticker.dispose();
        }
        Counts during = Counts.of(target).since(before);
        progress.finish(during.backend(), limit.last());
        return new PhaseResult(label, run, during, limit);
    }

    private static void printTable(PrintStream out, List<PhaseResult> phases, List<SummaryTable.Row> rows) {
        out.println();
        out.print(SummaryTable.render(phases, rows));
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

    private void printSettings(PrintStream out, DemoTarget self) {
        out.println("Settings in force (application.yml):");
        self.registry().limiters().keySet().forEach(name -> out.printf(Locale.ROOT,
                "  @LimitJobs %-14s %s%n", name, describeLimit(self, name)));
        self.registry().batchers().forEach((name, batcher) -> {
            BatchConfig config = batcher.config();
            out.printf(Locale.ROOT, "  @Batch     %-14s target %d SKUs, max wait %s, max concurrent batches %s%n",
                    name, config.targetBatchSize(), format(config.maxWaitingTime()),
                    config.maxConcurrentBatches() == BatchConfig.UNLIMITED ? "unlimited" : config.maxConcurrentBatches());
        });
        self.registry().retriers().keySet().forEach(name -> out.printf(Locale.ROOT,
                "  @Retry     %-14s %s%n", name, describeRetry(self, name)));
        BackendProperties backend = self.backendSettings();
        out.printf(Locale.ROOT, "  backend    %s + %s per SKU, %d workers, %.0f%% of calls fail with 503%s%n",
                format(backend.getLatency()), format(backend.getLatencyPerItem()), backend.getWorkers(),
                backend.getFailureRate() * 100, backend.getRetryAfter().isZero() ? ""
                        : " and Retry-After: " + backend.getRetryAfter().toSeconds());
    }

    private static String describeLimit(DemoTarget target) {
        return "@LimitJobs " + LIMIT + " " + describeLimit(target, LIMIT);
    }

    private static String describeLimit(DemoTarget target, String name) {
        return target.registry().findAdaptiveLimit(name).map(adaptive -> {
            AdaptiveConfig config = adaptive.config();
            return String.format(Locale.ROOT, "adaptive limit, starts at %d, within [%d, %d], window %s",
                    config.initialLimit(), config.minLimit(), config.maxLimit(), format(config.window()));
        }).orElseGet(() -> target.registry().findLimiter(name)
                .map(limiter -> "limit " + limiter.limit() + " in flight").orElse("not created yet"));
    }

    private static String describeRetry(DemoTarget target) {
        return "@Retry " + Counts.RETRY + " " + describeRetry(target, Counts.RETRY);
    }

    private static String describeRetry(DemoTarget target, String name) {
        return target.registry().findRetrier(name).map(retrier -> {
            RetryConfig config = retrier.config();
            RetryBudget budget = retrier.budget();
            return String.format(Locale.ROOT, "%d attempts, delay %s, backoff x%s, %s", config.attempts(),
                    format(config.delay()), config.backoff(), budget == null ? "no retry budget"
                            : String.format(Locale.ROOT, "retry budget %.0f%% + %.0f/s over %s", budget.percent(),
                            budget.minRetriesPerSecond(), format(budget.window())));
        }).orElse("not created yet");
    }

    /** @return how many calls per second the backend serves with that many workers, one SKU each */
    private static double callsPerSecond(DemoTarget target, int workers) {
        BackendProperties backend = target.backendSettings();
        return workers * 1e9 / (backend.getLatency().toNanos() + backend.getLatencyPerItem().toNanos());
    }

    private static String format(Duration duration) {
        if (duration.toNanos() % 1_000_000 != 0) {
            return String.format(Locale.ROOT, "%.1fms", duration.toNanos() / 1e6);
        }
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
