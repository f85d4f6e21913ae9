package dev.dike.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static dev.dike.benchmarks.batching.BackendLoadProfiler.CALLS;
import static dev.dike.benchmarks.batching.BackendLoadProfiler.ROWS;
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
    static final String CLUSTER = "ClusterLimitBenchmark";
    static final String[] THREAD_GROUPS = {"OneThread", "AllCores"};
    static final String[] PRODUCER_GROUPS = {"OneProducer", "SixteenProducers", "SixtyFourProducers"};
    static final String[] CALLER_GROUPS = {"OneCaller", "SixteenCallers", "SixtyFourCallers"};
    /** The end-to-end benchmark's methods, by the batching each uses: {method, label}. */
    static final String[][] END_TO_END_VARIANTS = {
            {"batchOff", "unbatched"},
            {"batchOn", "list, wait 10 ms"},
            {"batchZeroWait", "list, zero wait"},
            {"single", "single-item, wait 10 ms"},
            {"singleZeroWait", "single-item, zero wait"}};
    static final String[] CLUSTER_GROUPS = {"OneCaller", "Callers64"};
    static final String SEQUENTIAL = "sequential";
    static final String ZIPF = "zipf";
    static final String[] TARGET_SIZES = {"1", "16", "128"};

    private final JmhResults results;
    private final List<String> targets = new ArrayList<>();

    ReportSections(JmhResults results) {
        this.results = results;
    }

    /** @return every section, in the order of the list */
    String render() {
        targets.clear();
        String body = limit() + retry() + core() + batching() + endToEnd() + hotKeys() + cluster();
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
                "Spring `@Retryable`", "dike ÷ best peer", "dike ÷ floor", "dike with budget", "budget ÷ dike");
        MarkdownTable alloc = new MarkdownTable("call", "plain body", "dike", "R4j", "Spring", "dike with budget");
        for (String path : new String[] {"Happy", "OneRetry"}) {
            for (String kind : new String[] {"Sync", "Async"}) {
                String prefix = RETRY + ".";
                Optional<JmhResult> plain = results.find(prefix + "floorDirect" + path + kind);
                Optional<JmhResult> dike = results.find(prefix + "dike" + path + kind);
                Optional<JmhResult> r4j = results.find(prefix + "resilience4j" + path + kind);
                Optional<JmhResult> spring = results.find(prefix + "spring" + path + kind);
                Optional<JmhResult> budget = results.find(prefix + "dikeBudget" + path + kind);
                Optional<JmhResult> noOp = results.find(LIMIT + ".OneThread.floorNoOpAspect" + kind);
                // Spring's @Retryable does not retry a failed CompletableFuture: not the same work.
                boolean springRetries = !(path.equals("OneRetry") && kind.equals("Async"));
                String label = (path.equals("Happy") ? "happy path, " : "one retry, ") + label(kind, RETRY);
                double best = springRetries ? best(r4j, spring) : best(r4j);
                time.row(label, scoreWithError(plain), scoreWithError(dike), scoreWithError(r4j),
                        springRetries ? scoreWithError(spring) : scoreWithError(spring) + " (fails: no retry)",
                        ratio(score(dike), best),
                        path.equals("Happy") ? ratio(score(dike), score(noOp)) : "—",
                        scoreWithError(budget), ratio(score(budget), score(dike)));
                alloc.row(label, allocation(plain), allocation(dike), allocation(r4j), allocation(spring),
                        allocation(budget));
                target("retry, " + label + ": dike at or below every peer", score(dike), best, 1.0);
                target("retry, " + label + ": dike with the retry budget on within 10 % of dike without",
                        score(budget), score(dike), 1.1);
            }
        }
        return "### 3. Retry through Spring proxies (ns per call, lower is better)\n\n" + time.render()
                + "\nThe floor is the no-op aspect of table 2 (one thread); the plain body is the unproxied"
                + " bean. *dike with budget*: the same `@Retry` with a [retry budget](retry.md) at 100 %"
                + " with a reserve of 100,000 retries/s and a window of 1 s (`dikeBudget*`, so the one-retry rows keep their retry although"
                + " the budget samples its count of calls at these rates): every call and retry is counted"
                + " into the budget. The other dike rows run with the budget off.\n\nAllocation per call (bytes, `-prof gc`):\n\n"
                + alloc.render() + "\n";
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
                "dike added latency µs", "dike zero-wait items/s", "zero-wait p50 / p99 µs");
        for (String group : PRODUCER_GROUPS) {
            String prefix = BATCHING + "." + group + ".";
            Optional<JmhResult> unbatched = results.find(prefix + "unbatched");
            String producers = threads(BATCHING + "." + group);
            for (String size : TARGET_SIZES) {
                Optional<JmhResult> dike = results.find(prefix + "dike", "targetBatchSize", size);
                Optional<JmhResult> reactor = results.find(prefix + "reactor", "targetBatchSize", size);
                Optional<JmhResult> zeroWait = results.find(prefix + "dikeZeroWait", "targetBatchSize", size);
                table.row(producers, size, number(itemsPerSecond(dike)), number(itemsPerSecond(reactor)),
                        ratio(itemsPerSecond(dike), itemsPerSecond(reactor)), percentiles(dike),
                        percentiles(reactor), number(itemsPerSecond(unbatched)),
                        number(score(dike) - score(unbatched)), number(itemsPerSecond(zeroWait)),
                        percentiles(zeroWait));
            }
        }
        return "### 5. Batching throughput, in-memory operation (higher items/s is better)\n\n" + table.render()
                + "\nItems/s = producers ÷ mean time per call (Little's law: each producer waits for its"
                + " result before submitting again). Added latency = dike's mean time per call minus the"
                + " unbatched call's. Zero wait: dike's `Batcher` with `maxWaitingTime = 0` and one batch at a"
                + " time (`dikeZeroWait`).\n\n![batch size vs throughput and latency](benchmarks-batching.png)\n\n";
    }

    private String endToEnd() {
        MarkdownTable table = endToEndTable("÷ unbatched");
        for (String group : CALLER_GROUPS) {
            String callers = threads(END_TO_END + "." + group);
            Optional<JmhResult> off = endToEnd(group, "batchOff", SEQUENTIAL);
            for (String[] variant : END_TO_END_VARIANTS) {
                endToEndRow(table, callers, endToEnd(group, variant[0], SEQUENTIAL), variant[1], off);
            }
        }
        Optional<JmhResult> off64 = endToEnd("SixtyFourCallers", "batchOff", SEQUENTIAL);
        Optional<JmhResult> on64 = endToEnd("SixtyFourCallers", "batchOn", SEQUENTIAL);
        atLeast("end to end, 64 callers: batching gives at least 3× the throughput", itemsPerSecond(on64),
                itemsPerSecond(off64), 3.0);
        target("end to end, 64 callers: p99 with batching no worse than without", p99(on64), p99(off64), 1.0);
        for (String[] mode : new String[][] {{"batchZeroWait", "batchOn", "list"}, {"singleZeroWait", "single", "single-item"}}) {
            for (String group : new String[] {"OneCaller", "SixteenCallers"}) {
                String callers = threads(END_TO_END + "." + group);
                target("zero-wait batching (" + mode[2] + "), " + callers + (callers.equals("1") ? " caller" : " callers")
                                + ": p50 no worse than unbatched, ms", p50(endToEnd(group, mode[0], SEQUENTIAL)),
                        p50(endToEnd(group, "batchOff", SEQUENTIAL)), 1.0);
            }
            atLeast("zero-wait batching (" + mode[2] + "), 64 callers: throughput at least that of"
                            + " `maxWaitingTime = 10ms`, items/s", itemsPerSecond(endToEnd("SixtyFourCallers", mode[0], SEQUENTIAL)),
                    itemsPerSecond(endToEnd("SixtyFourCallers", mode[1], SEQUENTIAL)), 1.0);
        }
        return "### 6. End to end on the simulated backend (higher items/s, lower latency is better)\n\n"
                + table.render() + "\nEach caller cycles through 1,024 SKUs. Backend calls and rows per request come"
                + " from `BackendLoadProfiler` (n/a when the run did not use it); unbatched, both are 1.\n\n"
                + "![batch on vs off](benchmarks-end-to-end.png)\n\n";
    }

    private String hotKeys() {
        MarkdownTable table = endToEndTable("÷ list, wait 10 ms");
        String callers = threads(END_TO_END + ".SixtyFourCallers");
        Optional<JmhResult> list = endToEnd("SixtyFourCallers", "batchOn", ZIPF);
        for (String[] variant : END_TO_END_VARIANTS) {
            Optional<JmhResult> result = endToEnd("SixtyFourCallers", variant[0], ZIPF);
            if (!variant[0].equals("batchOff") || result.isPresent()) { // run.sh measures the batched ones only
                endToEndRow(table, callers, result, variant[1], list);
            }
        }
        return "### 6b. End to end with hot keys (`-p keys=zipf`)\n\n" + table.render()
                + "\nSKUs drawn from a Zipf distribution over 1,000 SKUs (exponent 1), so a few are hot. List mode"
                + " sends every request as a row; single-item mode (`@Batch(bulkMethod = ...)`) sends each distinct"
                + " SKU of a batch once.\n\n";
    }

    private static MarkdownTable endToEndTable(String ratioTitle) {
        return new MarkdownTable("callers", "batching", "items/s", ratioTitle, "p50 / p99 ms", "backend calls / request",
                "rows / request");
    }

    private static void endToEndRow(MarkdownTable table, String callers, Optional<JmhResult> result, String label,
                                    Optional<JmhResult> reference) {
        table.row(callers, label, number(itemsPerSecond(result)), ratio(itemsPerSecond(result), itemsPerSecond(reference)),
                percentiles(result), number(secondary(result, CALLS)), number(secondary(result, ROWS)));
    }

    /** @return the end-to-end row of a caller group and method with {@code keys} = the given value */
    Optional<JmhResult> endToEnd(String group, String method, String keys) {
        return results.find(END_TO_END + "." + group + "." + method, "keys", keys);
    }

    private String cluster() {
        MarkdownTable table = new MarkdownTable("callers", "`INCR` + `DECR` (floor) µs", "dike cluster µs",
                "dike local µs", "cluster ÷ floor", "floor calls/s", "cluster calls/s", "local calls/s",
                "cluster ÷ floor calls/s");
        MarkdownTable alloc = new MarkdownTable("callers", "`INCR` + `DECR` (floor)", "dike cluster", "dike local");
        for (String group : CLUSTER_GROUPS) {
            String prefix = CLUSTER + "." + group + ".";
            String callers = threads(CLUSTER + "." + group);
            Optional<JmhResult> floorTime = results.findInMode("avgt", prefix + "floorIncrDecr");
            Optional<JmhResult> clusterTime = results.findInMode("avgt", prefix + "clusterLimit");
            Optional<JmhResult> localTime = results.findInMode("avgt", prefix + "localLimit");
            double floorRate = callsPerSecond(results.findInMode("thrpt", prefix + "floorIncrDecr"));
            double clusterRate = callsPerSecond(results.findInMode("thrpt", prefix + "clusterLimit"));
            double localRate = callsPerSecond(results.findInMode("thrpt", prefix + "localLimit"));
            table.row(callers, scoreWithError(floorTime), scoreWithError(clusterTime), scoreWithError(localTime),
                    ratio(score(clusterTime), score(floorTime)), number(floorRate), number(clusterRate),
                    number(localRate), ratio(clusterRate, floorRate));
            alloc.row(callers, allocation(floorTime), allocation(clusterTime), allocation(localTime));
            if (group.equals("OneCaller")) {
                target("cluster limit, 1 caller: within 1.3× of the `INCR` + `DECR` floor's time per call, µs",
                        score(clusterTime), score(floorTime), 1.3);
            } else {
                atLeast("cluster limit, " + callers + " callers: at least 80 % of the `INCR` + `DECR` floor's"
                        + " throughput, calls/s", clusterRate, floorRate, 0.8);
            }
        }
        return "### 7. Cluster-wide limit on Redis: acquire + release (lower µs, higher calls/s is better)\n\n"
                + table.render() + "\nTime per call from JMH's average-time mode (with 64 callers, each caller's"
                + " time per call); calls/s from its throughput mode, all callers together. The floor is a bare"
                + " `INCR` + `DECR` pair on a connection of the same Lettuce client.\n\nAllocation per call"
                + " (bytes, `-prof gc`):\n\n" + alloc.render() + "\n";
    }

    /** Records "value ≤ bound × factor" as a met or missed target. */
    private void target(String description, double value, double bound, double factor) {
        check(description, value, bound * factor, value <= bound * factor);
    }

    /** Records "value ≥ bound × factor" as a met or missed target. */
    private void atLeast(String description, double value, double bound, double factor) {
        check(description, value, bound * factor, value >= bound * factor);
    }

    private void check(String description, double value, double limit, boolean met) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            targets.add("- not measured: " + description);
            return;
        }
        targets.add(verdict(met, description + String.format(Locale.ROOT, " (%s vs %s)", number(value), number(limit))));
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

    static double p50(Optional<JmhResult> result) {
        return result.map(r -> r.percentile(50).orElse(Double.NaN)).orElse(Double.NaN);
    }

    static double secondary(Optional<JmhResult> result, String name) {
        return result.map(r -> r.secondary(name)).orElse(Double.NaN);
    }

    /** @return calls per second of a throughput-mode result, e.g. in ops/us */
    static double callsPerSecond(Optional<JmhResult> result) {
        return result.map(r -> {
            if (!r.unit().startsWith("ops/")) {
                throw new IllegalArgumentException("Unexpected JMH unit '" + r.unit() + "' of " + r.benchmark()
                        + ": expected operations per time, from throughput mode");
            }
            return r.score() / secondsPer(r.unit().substring("ops/".length()) + "/op");
        }).orElse(Double.NaN);
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
