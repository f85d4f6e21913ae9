package dev.dike.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static dev.dike.benchmarks.report.MarkdownTable.MISSING;
import static dev.dike.benchmarks.report.MarkdownTable.allocation;
import static dev.dike.benchmarks.report.MarkdownTable.number;
import static dev.dike.benchmarks.report.MarkdownTable.ratio;
import static dev.dike.benchmarks.report.MarkdownTable.scoreWithError;

/**
 * Turns a JMH run into the Markdown tables of {@code docs/benchmarks.md}: one table per comparison,
 * with dike's ratio to the best peer and to the floor, and a list of the targets, each met
 * or missed.
 */
final class ReportSections {

    static final String LIMIT = "SpringLimitBenchmark";
    static final String RETRY = "SpringRetryBenchmark";
    static final String CORE = "CoreLimiterBenchmark";
    static final String BATCHING = "BatchingBenchmark";
    static final String END_TO_END = "EndToEndBenchmark";
    static final String[] THREAD_GROUPS = {"OneThread", "AllCores"};
    static final String[] PRODUCER_GROUPS = {"OneProducer", "SixteenProducers", "SixtyFourProducers"};
    static final String[] CALLER_GROUPS = {"SixteenCallers", "SixtyFourCallers"};
    static final String[] TARGET_SIZES = {"1", "16", "128"};

    private final JmhResults results;
    private final List<String> targets = new ArrayList<>();

    ReportSections(JmhResults results) {
        this.results = results;
    }

    /** @return every section, in the order of the list */
    String render() {
        targets.clear();
        String body = limit() + retry() + core() + batching() + endToEnd();
        return body + "### Targets\n\n" + String.join("\n", targets) + "\n";
    }

    private String limit() {
        MarkdownTable time = new MarkdownTable("call", "direct", "no-op interceptor", "no-op aspect (floor)",
                "dike `@LimitJobs`", "R4j `@Bulkhead`", "Spring `@ConcurrencyLimit`", "dike ÷ best peer", "dike ÷ floor",
                "dike ÷ no-op interceptor", "dike adaptive", "adaptive ÷ fixed");
        MarkdownTable alloc = new MarkdownTable("call", "direct", "no-op interceptor", "no-op aspect", "dike", "R4j",
                "Spring", "dike adaptive");
        for (String group : THREAD_GROUPS) {
            for (String kind : new String[] {"Sync", "Async"}) {
                String prefix = LIMIT + "." + group + ".";
                Optional<JmhResult> direct = results.find(prefix + "floorDirect" + kind);
                Optional<JmhResult> interceptor = results.find(prefix + "floorNoOpInterceptor" + kind);
                Optional<JmhResult> noOp = results.find(prefix + "floorNoOpAspect" + kind);
                Optional<JmhResult> dike = results.find(prefix + "dike" + kind);
                Optional<JmhResult> r4j = results.find(prefix + "resilience4j" + kind);
                Optional<JmhResult> spring = results.find(prefix + "spring" + kind);
                Optional<JmhResult> adaptive = results.find(prefix + "dikeAdaptive" + kind);
                String label = label(kind, LIMIT + "." + group);
                double best = best(r4j, spring);
                time.row(label, scoreWithError(direct), scoreWithError(interceptor), scoreWithError(noOp), scoreWithError(dike),
                        scoreWithError(r4j), scoreWithError(spring), ratio(score(dike), best),
                        ratio(score(dike), score(noOp)), ratio(score(dike), score(interceptor)),
                        scoreWithError(adaptive), ratio(score(adaptive), score(dike)));
                alloc.row(label, allocation(direct), allocation(interceptor), allocation(noOp), allocation(dike),
                        allocation(r4j), allocation(spring), allocation(adaptive));
                if (adaptive.isPresent()) {
                    target("limit, " + label + ": adaptive dike within 1.5× of fixed dike", score(adaptive),
                            score(dike), 1.5);
                }
                target("limit, " + label + ": dike at or below every peer", score(dike), best, 1.0);
                target("limit, " + label + ": dike within 1.5× of the no-op aspect floor", score(dike),
                        score(noOp), 1.5);
            }
        }
        return "### 2. Limit through Spring proxies (ns per call, lower is better)\n\n" + time.render()
                + "\nAllocation per call (bytes, `-prof gc`):\n\n" + alloc.render() + "\n";
    }

    private String retry() {
        MarkdownTable time = new MarkdownTable("call", "plain body", "dike `@Retry`", "R4j `@Retry`",
                "Spring `@Retryable`", "dike ÷ best peer", "dike ÷ floor");
        MarkdownTable alloc = new MarkdownTable("call", "plain body", "dike", "R4j", "Spring");
        for (String path : new String[] {"Happy", "OneRetry"}) {
            for (String kind : new String[] {"Sync", "Async"}) {
                String prefix = RETRY + ".";
                Optional<JmhResult> plain = results.find(prefix + "floorDirect" + path + kind);
                Optional<JmhResult> dike = results.find(prefix + "dike" + path + kind);
                Optional<JmhResult> r4j = results.find(prefix + "resilience4j" + path + kind);
                Optional<JmhResult> spring = results.find(prefix + "spring" + path + kind);
                Optional<JmhResult> noOp = results.find(LIMIT + ".OneThread.floorNoOpAspect" + kind);
                // Spring's @Retryable does not retry a failed CompletableFuture: not the same work.
                boolean springRetries = !(path.equals("OneRetry") && kind.equals("Async"));
                String label = (path.equals("Happy") ? "happy path, " : "one retry, ") + label(kind, RETRY);
                double best = springRetries ? best(r4j, spring) : best(r4j);
                time.row(label, scoreWithError(plain), scoreWithError(dike), scoreWithError(r4j),
                        springRetries ? scoreWithError(spring) : scoreWithError(spring) + " (fails: no retry)",
                        ratio(score(dike), best),
                        path.equals("Happy") ? ratio(score(dike), score(noOp)) : "—");
                alloc.row(label, allocation(plain), allocation(dike), allocation(r4j), allocation(spring));
                target("retry, " + label + ": dike at or below every peer", score(dike), best, 1.0);
            }
        }
        return "### 3. Retry through Spring proxies (ns per call, lower is better)\n\n" + time.render()
                + "\nThe floor is the no-op aspect of table 2 (one thread); the plain body is the unproxied"
                + " bean.\n\nAllocation per call (bytes, `-prof gc`):\n\n" + alloc.render() + "\n";
    }

    private String core() {
        MarkdownTable time = new MarkdownTable("threads", "dike `JobLimiter`", "R4j `SemaphoreBulkhead`",
                "`Semaphore`", "`AtomicInteger` CAS pair", "dike ÷ best peer", "dike ÷ CAS pair", "dike B/op");
        for (String group : THREAD_GROUPS) {
            String prefix = CORE + "." + group + ".";
            Optional<JmhResult> dike = results.find(prefix + "dikeJobLimiter");
            Optional<JmhResult> r4j = results.find(prefix + "resilience4jSemaphoreBulkhead");
            Optional<JmhResult> semaphore = results.find(prefix + "jucSemaphore");
            Optional<JmhResult> cas = results.find(prefix + "casPair");
            String threads = threads(CORE + "." + group);
            time.row(threads, scoreWithError(dike), scoreWithError(r4j), scoreWithError(semaphore),
                    scoreWithError(cas), ratio(score(dike), best(r4j, semaphore)), ratio(score(dike), score(cas)),
                    allocation(dike));
            target("core limiter, " + threads + " thread(s): within 2× of the CAS pair", score(dike), score(cas), 2.0);
            if (group.equals("OneThread")) {
                double bytes = dike.map(JmhResult::allocatedBytesPerOp).orElse(Double.NaN);
                targets.add(verdict(!Double.isNaN(bytes) && bytes < 0.5,
                        "core limiter, uncontended sync path allocates nothing: "
                                + (Double.isNaN(bytes) ? MISSING : number(bytes) + " B/op")));
            }
        }
        return "### 4. Core limiter without Spring: tryAcquire + release (ns per pair, lower is better)\n\n"
                + time.render() + "\n";
    }

    private String batching() {
        MarkdownTable table = new MarkdownTable("producers", "target size", "dike items/s", "Reactor items/s",
                "dike ÷ Reactor", "dike p50 / p99 µs", "Reactor p50 / p99 µs", "unbatched items/s",
                "dike added latency µs");
        for (String group : PRODUCER_GROUPS) {
            String prefix = BATCHING + "." + group + ".";
            Optional<JmhResult> unbatched = results.find(prefix + "unbatched");
            String producers = threads(BATCHING + "." + group);
            for (String size : TARGET_SIZES) {
                Optional<JmhResult> dike = results.find(prefix + "dike", "targetBatchSize", size);
                Optional<JmhResult> reactor = results.find(prefix + "reactor", "targetBatchSize", size);
                table.row(producers, size, number(itemsPerSecond(dike)), number(itemsPerSecond(reactor)),
                        ratio(itemsPerSecond(dike), itemsPerSecond(reactor)), percentiles(dike),
                        percentiles(reactor), number(itemsPerSecond(unbatched)),
                        number(score(dike) - score(unbatched)));
            }
        }
        return "### 5. Batching throughput, in-memory operation (higher items/s is better)\n\n" + table.render()
                + "\nItems/s = producers ÷ mean time per call (Little's law: each producer waits for its"
                + " result before submitting again). Added latency = dike's mean time per call minus the"
                + " unbatched call's.\n\n![batch size vs throughput and latency](benchmarks-batching.png)\n\n";
    }

    private String endToEnd() {
        MarkdownTable table = new MarkdownTable("callers", "batch off items/s", "batch on items/s", "on ÷ off",
                "off p50 / p99 ms", "on p50 / p99 ms");
        for (String group : CALLER_GROUPS) {
            String prefix = END_TO_END + "." + group + ".";
            Optional<JmhResult> off = results.find(prefix + "batchOff");
            Optional<JmhResult> on = results.find(prefix + "batchOn");
            String callers = threads(END_TO_END + "." + group);
            table.row(callers, number(itemsPerSecond(off)), number(itemsPerSecond(on)),
                    ratio(itemsPerSecond(on), itemsPerSecond(off)), percentiles(off), percentiles(on));
            if (group.equals("SixtyFourCallers")) {
                target("end to end, 64 callers: batching gives at least 3× the throughput",
                        3 * itemsPerSecond(off), itemsPerSecond(on), 1.0);
                target("end to end, 64 callers: p99 with batching no worse than without", p99(on), p99(off), 1.0);
            }
        }
        return "### 6. End to end on the simulated backend (higher items/s, lower latency is better)\n\n"
                + table.render() + "\n![batch on vs off](benchmarks-end-to-end.png)\n\n";
    }

    /** Records "value ≤ limit × bound" as a met or missed target. */
    private void target(String description, double value, double bound, double factor) {
        if (Double.isNaN(value) || Double.isNaN(bound)) {
            targets.add("- not measured: " + description);
            return;
        }
        targets.add(verdict(value <= bound * factor,
                description + String.format(Locale.ROOT, " (%s vs %s)", number(value), number(bound * factor))));
    }

    private static String verdict(boolean met, String description) {
        return (met ? "- met: " : "- **missed**: ") + description;
    }

    private String label(String kind, String group) {
        String threads = threads(group);
        return (kind.equals("Sync") ? "sync, " : "CompletableFuture, ") + threads
                + (threads.equals("1") ? " thread" : " threads");
    }

    /** @return the number of threads that ran the benchmarks of a class, e.g. {@code CoreLimiterBenchmark.AllCores} */
    String threads(String group) {
        return results.all().stream()
                .filter(r -> r.group().equals(group))
                .map(r -> Integer.toString(r.threads()))
                .findFirst().orElse(group.substring(group.lastIndexOf('.') + 1));
    }

    private static String percentiles(Optional<JmhResult> result) {
        return result.map(r -> number(r.percentile(50).orElse(Double.NaN)) + " / "
                + number(r.percentile(99).orElse(Double.NaN))).orElse(MISSING);
    }

    static double score(Optional<JmhResult> result) {
        return result.map(JmhResult::score).orElse(Double.NaN);
    }

    static double p99(Optional<JmhResult> result) {
        return result.map(r -> r.percentile(99).orElse(Double.NaN)).orElse(Double.NaN);
    }

    /** @return threads ÷ mean time per call, for a sample-time result in µs/op or ms/op */
    static double itemsPerSecond(Optional<JmhResult> result) {
        return result.map(r -> r.threads() / (r.score() * secondsPer(r.unit()))).orElse(Double.NaN);
    }

    private static double secondsPer(String unit) {
        switch (unit) {
            case "ns/op":
                return 1e-9;
            case "us/op":
                return 1e-6;
            case "ms/op":
                return 1e-3;
            case "s/op":
                return 1;
            default:
                throw new IllegalArgumentException("Unexpected JMH unit '" + unit + "': expected a time per operation");
        }
    }

    @SafeVarargs
    private static double best(Optional<JmhResult>... peers) {
        double best = Double.NaN;
        for (Optional<JmhResult> peer : peers) {
            double score = score(peer);
            if (!Double.isNaN(score) && (Double.isNaN(best) || score < best)) {
                best = score;
            }
        }
        return best;
    }
}
