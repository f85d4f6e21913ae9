package dev.dike.sample.demo;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/** Renders phases side by side, one row per figure; each comparison shows the figures it is about. */
final class SummaryTable {

    private static final String ROW = "%-36s";
    private static final int MIN_CELL = 16;

    /** One figure: its name and how to read it from a phase. */
    record Row(String name, Function<PhaseResult, String> cell) {
    }

    private static final Row SENT = new Row("requests sent", p -> count(p.run().sent()));
    private static final Row SUCCEEDED = new Row("succeeded (200)", p -> count(p.run().succeeded()));
    private static final Row REJECTED = new Row("rejected by @LimitJobs (503)", p -> count(p.run().rejected()));
    private static final Row FAILED = new Row("failed (502 or other)", p -> count(p.run().failedCount()));
    private static final Row SKIPPED = new Row("not sent (client saturated)", p -> count(p.run().skipped()));
    private static final Row BACKEND_CALLS = new Row("backend calls", p -> count(p.counts().backend().calls()));
    private static final Row RETRIES = new Row("retries by @Retry", p -> count(p.counts().retries()));
    private static final Row THROUGHPUT = new Row("throughput (ok/s)", p -> decimal(p.run().throughput()));
    private static final Row P50 = new Row("latency p50 (ms)", p -> decimal(p.run().latencies().percentileMillis(50)));
    private static final Row P99 = new Row("latency p99 (ms)", p -> decimal(p.run().latencies().percentileMillis(99)));

    /** Batching on and off: what merging lookups saves the backend. */
    static final List<Row> BATCHING = List.of(SENT, SUCCEEDED, REJECTED, FAILED, SKIPPED, BACKEND_CALLS,
            new Row("mean batch size (SKUs/call)", p -> decimal(p.counts().backend().meanItemsPerCall())),
            new Row("backend failures (503)", p -> count(p.counts().backend().failures())),
            RETRIES, THROUGHPUT, P50, P99);

    /** Fixed and adaptive limit while the backend's capacity halves: latency and the limit in force. */
    static final List<Row> CAPACITY = List.of(SENT, SUCCEEDED, REJECTED, FAILED,
            new Row("  of which timed out", p -> count(p.run().timedOutCount())),
            SKIPPED, THROUGHPUT, P50, P99,
            new Row("backend queue wait, mean (ms)", p -> decimal(p.counts().backend().meanQueueMillis())),
            new Row("limit in force: mean", p -> decimal(p.limit().mean())),
            new Row("limit in force: min-max", p -> Double.isNaN(p.limit().min()) ? "-"
                    : integer(p.limit().min()) + "-" + integer(p.limit().max())),
            new Row("limit in force: at the end", p -> integer(p.limit().last())));

    /** With and without retry budget while the backend fails: the load the retries add. */
    static final List<Row> OUTAGE = List.of(SENT, SUCCEEDED, REJECTED, FAILED, SKIPPED, BACKEND_CALLS,
            new Row("backend calls per request sent", p -> p.run().sent() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f", (double) p.counts().backend().calls() / p.run().sent())),
            new Row("backend calls per @Retry call", p -> Double.isNaN(p.counts().attemptsPerRetryCall()) ? "-"
                    : String.format(Locale.ROOT, "%.2f", p.counts().attemptsPerRetryCall())),
            RETRIES,
            new Row("retries refused (budget_exhausted)", p -> count(p.counts().budgetExhausted())),
            THROUGHPUT, P50, P99);

    private SummaryTable() {
    }

    /**
     * @param phases the columns
     * @param rows   the figures; "not sent" only appears when some phase skipped requests
     * @return the table, one line per row, with a heading line
     */
    static String render(List<PhaseResult> phases, List<Row> rows) {
        int width = Math.max(MIN_CELL, phases.stream().mapToInt(p -> p.label().length() + 2).max().orElse(0));
        String cellFormat = "%" + width + "s";
        StringBuilder table = new StringBuilder();
        append(table, "", phases, cellFormat, PhaseResult::label);
        Predicate<Row> shown = row -> row != SKIPPED || phases.stream().anyMatch(p -> p.run().skipped() > 0);
        rows.stream().filter(shown).forEach(row -> append(table, row.name(), phases, cellFormat, row.cell()));
        return table.toString();
    }

    private static void append(StringBuilder table, String name, List<PhaseResult> phases, String cellFormat,
                               Function<PhaseResult, String> cell) {
        table.append(String.format(Locale.ROOT, ROW, name));
        for (PhaseResult phase : phases) {
            table.append(String.format(Locale.ROOT, cellFormat, cell.apply(phase)));
        }
        table.append(System.lineSeparator());
    }

    private static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String integer(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String decimal(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.1f", value);
    }
}
