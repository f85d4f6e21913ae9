package dev.dike.benchmarks.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tables and targets of issues #13, #15 and #16, rendered from small JMH JSON files. Each
 * target is checked on both sides of its bound, so a verdict that cannot change would show.
 */
class ReportSectionsTest {

    private static final String END_TO_END = "EndToEndBenchmark.";
    private static final String ALLOCATION = "gc.alloc.rate.norm";
    private static final String CALLS = "backend.calls.per.request";
    private static final String ROWS = "backend.rows.per.request";

    @TempDir
    Path dir;

    @Test
    void clusterTableShowsTimeThroughputAndAllocationAgainstTheFloorAndLocal() throws IOException {
        String report = section(render(cluster(125, 0.085)), "### 7. Cluster-wide limit on Redis");

        assertThat(report)
                // floor 100 µs, cluster 125 µs, local 5 µs; 0.01, 0.0077 and 0.2 calls per µs
                .contains("| 1 | 100 ± 1.00 | 125 ± 1.25 | 5.00 ± 0.050 | 1.25× | 10,000 | 7,700 | 200,000 | 0.77× |")
                .contains("| 64 | 1,000 ± 10.0 | 1,100 ± 11.0 | 50.0 ± 0.500 | 1.10× | 100,000 | 85,000 | 1,000,000 | 0.85× |")
                .contains("| 1 | 400 | 2400 | 96 |");
    }

    @Test
    void clusterTargetsAreMetWithinTheirBounds() throws IOException {
        assertThat(render(cluster(125, 0.085)))
                .contains("- met: cluster limit, 1 caller: within 1.3× of the `INCR` + `DECR` floor's time per call,"
                        + " µs (125 vs 130)")
                .contains("- met: cluster limit, 64 callers: at least 80 % of the `INCR` + `DECR` floor's throughput,"
                        + " calls/s (85,000 vs 80,000)");
    }

    @Test
    void clusterTargetsAreMissedBeyondTheirBounds() throws IOException {
        assertThat(render(cluster(135, 0.075)))
                .contains("- **missed**: cluster limit, 1 caller: within 1.3× of the `INCR` + `DECR` floor's time"
                        + " per call, µs (135 vs 130)")
                .contains("- **missed**: cluster limit, 64 callers: at least 80 % of the `INCR` + `DECR` floor's"
                        + " throughput, calls/s (75,000 vs 80,000)");
    }

    @Test
    void withoutClusterRowsTheTableSaysNotAvailableAndTheTargetsNotMeasured() throws IOException {
        String report = render(new JmhJson().avgt("CoreLimiterBenchmark.OneThread.casPair", 1, 12, "ns/op").add());

        assertThat(report)
                .contains("| OneCaller | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
                .contains("- not measured: cluster limit, 1 caller: within 1.3×")
                .contains("- not measured: cluster limit, Callers64 callers: at least 80 %");
    }

    @Test
    void retryRowsWithTheBudgetOnSitNextToDikesAndAreHeldToTenPercent() throws IOException {
        JmhJson json = new JmhJson()
                .avgt("SpringRetryBenchmark.dikeHappySync", 1, 50, "ns/op").secondary(ALLOCATION, 216).add()
                .avgt("SpringRetryBenchmark.dikeBudgetHappySync", 1, 54, "ns/op").secondary(ALLOCATION, 216).add()
                .avgt("SpringRetryBenchmark.dikeOneRetrySync", 1, 1000, "ns/op").add()
                .avgt("SpringRetryBenchmark.dikeBudgetOneRetrySync", 1, 1200, "ns/op").add();

        assertThat(render(json))
                .contains("| happy path, sync, 1 thread | n/a | 50.0 ± 0.500 | n/a | n/a | n/a | n/a | 54.0 ± 0.540"
                        + " | 1.08× |")
                .contains("| happy path, sync, 1 thread | n/a | 216 | n/a | n/a | 216 |")
                .contains("- met: retry, happy path, sync, 1 thread: dike with the retry budget on within 10 % of"
                        + " dike without (54.0 vs 55.0)")
                .contains("- **missed**: retry, one retry, sync, 1 thread: dike with the retry budget on within 10 %"
                        + " of dike without (1,200 vs 1,100)")
                .contains("- not measured: retry, happy path, CompletableFuture, 1 thread: dike with the retry budget");
    }

    @Test
    void zeroWaitBatchingIsComparedWithUnbatchedP50AndWithTheTenMillisecondThroughput() throws IOException {
        JmhJson json = new JmhJson();
        // 1 caller: unbatched p50 20.1 ms; list zero-wait 20.0 (met), single-item zero-wait 30.0 (missed)
        endToEnd(json, "OneCaller", 1, "batchOff", 20.2, 20.1);
        endToEnd(json, "OneCaller", 1, "batchZeroWait", 20.1, 20.0);
        endToEnd(json, "OneCaller", 1, "singleZeroWait", 30.5, 30.0);
        // 16 callers: unbatched p50 40 ms; both zero-wait modes 21 ms (met)
        endToEnd(json, "SixteenCallers", 16, "batchOff", 40.5, 40);
        endToEnd(json, "SixteenCallers", 16, "batchZeroWait", 21.5, 21);
        endToEnd(json, "SixteenCallers", 16, "singleZeroWait", 21.5, 21);
        // 64 callers: list 2,000 items/s, list zero-wait 2,133 (met); single 2,065, single zero-wait 1,600 (missed)
        endToEnd(json, "SixtyFourCallers", 64, "batchOff", 160, 160);
        endToEnd(json, "SixtyFourCallers", 64, "batchOn", 32, 31);
        endToEnd(json, "SixtyFourCallers", 64, "batchZeroWait", 30, 29);
        endToEnd(json, "SixtyFourCallers", 64, "single", 31, 30);
        endToEnd(json, "SixtyFourCallers", 64, "singleZeroWait", 40, 39);

        assertThat(render(json))
                .contains("- met: zero-wait batching (list), 1 caller: p50 no worse than unbatched, ms (20.0 vs 20.1)")
                .contains("- **missed**: zero-wait batching (single-item), 1 caller: p50 no worse than unbatched, ms"
                        + " (30.0 vs 20.1)")
                .contains("- met: zero-wait batching (list), 16 callers: p50 no worse than unbatched, ms (21.0 vs 40.0)")
                .contains("- met: zero-wait batching (single-item), 16 callers: p50 no worse than unbatched")
                .contains("- met: zero-wait batching (list), 64 callers: throughput at least that of"
                        + " `maxWaitingTime = 10ms`, items/s (2,133 vs 2,000)")
                .contains("- **missed**: zero-wait batching (single-item), 64 callers: throughput at least that of"
                        + " `maxWaitingTime = 10ms`, items/s (1,600 vs 2,065)")
                .contains("- met: end to end, 64 callers: batching gives at least 3× the throughput (2,000 vs 1,200)")
                // rows of table 6, with the backend load that BackendLoadProfiler recorded
                .contains("| 64 | list, wait 10 ms | 2,000 | 5.00× | 31.0 / 41.0 | 0.020 | 1.00 |")
                .contains("| 1 | single-item, wait 10 ms | n/a | n/a | n/a | n/a | n/a |");
    }

    @Test
    void hotKeyRowsShowTheBackendLoadWithAndWithoutDeduplicationAndThroughputAgainstListMode() throws IOException {
        JmhJson json = new JmhJson();
        endToEnd(json, "SixtyFourCallers", 64, "batchOn", 32, 31); // sequential keys: not in this table
        json.sample(END_TO_END + "SixtyFourCallers.batchOn", 64, 40, 39, 50, "ms/op").param("keys", "zipf")
                .secondary(CALLS, 0.05).secondary(ROWS, 1.0).add()
                .sample(END_TO_END + "SixtyFourCallers.single", 64, 20, 19, 30, "ms/op").param("keys", "zipf")
                .secondary(CALLS, 0.04).secondary(ROWS, 0.25).add();

        assertThat(section(render(json), "### 6b. End to end with hot keys"))
                .contains("| 64 | list, wait 10 ms | 1,600 | 1.00× | 39.0 / 50.0 | 0.050 | 1.00 |")
                .contains("| 64 | single-item, wait 10 ms | 3,200 | 2.00× | 19.0 / 30.0 | 0.040 | 0.250 |")
                .contains("| 64 | list, zero wait | n/a | n/a | n/a | n/a | n/a |")
                .doesNotContain("| 64 | unbatched | n/a |");
    }

    /** One end-to-end row with sequential keys: mean and p50 in ms, p99 = p50 + 10; 1 call and row per request. */
    private static void endToEnd(JmhJson json, String group, int callers, String method, double mean, double p50) {
        boolean batched = !method.equals("batchOff");
        json.sample(END_TO_END + group + "." + method, callers, mean, p50, p50 + 10, "ms/op")
                .param("keys", "sequential")
                .secondary(CALLS, batched ? 0.02 : 1).secondary(ROWS, 1).add();
    }

    /**
     * Cluster rows: floor 100 µs (1 caller) and 1,000 µs (64 callers) per call; cluster {@code oneCaller} µs
     * and 1,100 µs; floor 0.01 and 0.1 calls per µs; cluster 0.0077 and {@code callers64} calls per µs.
     */
    private static JmhJson cluster(double oneCaller, double callers64) {
        String one = "ClusterLimitBenchmark.OneCaller.";
        String many = "ClusterLimitBenchmark.Callers64.";
        return new JmhJson()
                .avgt(one + "floorIncrDecr", 1, 100, "us/op").secondary(ALLOCATION, 400).add()
                .avgt(one + "clusterLimit", 1, oneCaller, "us/op").secondary(ALLOCATION, 2400).add()
                .avgt(one + "localLimit", 1, 5, "us/op").secondary(ALLOCATION, 96).add()
                .thrpt(one + "floorIncrDecr", 1, 0.01, "ops/us").add()
                .thrpt(one + "clusterLimit", 1, 0.0077, "ops/us").add()
                .thrpt(one + "localLimit", 1, 0.2, "ops/us").add()
                .avgt(many + "floorIncrDecr", 64, 1000, "us/op").add()
                .avgt(many + "clusterLimit", 64, 1100, "us/op").add()
                .avgt(many + "localLimit", 64, 50, "us/op").add()
                .thrpt(many + "floorIncrDecr", 64, 0.1, "ops/us").add()
                .thrpt(many + "clusterLimit", 64, callers64, "ops/us").add()
                .thrpt(many + "localLimit", 64, 1, "ops/us").add();
    }

    /** @return the part of the report from {@code heading} to the next heading of its level */
    private static String section(String report, String heading) {
        int start = report.indexOf(heading);
        assertThat(start).as("heading %s in%n%s", heading, report).isNotNegative();
        int end = report.indexOf("\n### ", start + heading.length());
        return report.substring(start, end < 0 ? report.length() : end);
    }

    private String render(JmhJson json) throws IOException {
        return new ReportSections(json.results(dir)).render();
    }
}
