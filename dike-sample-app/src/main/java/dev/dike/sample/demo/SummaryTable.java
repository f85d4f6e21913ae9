package dev.dike.sample.demo;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Renders the phases side by side, one row per figure. */
final class SummaryTable {

    private static final String ROW = "%-30s";
    private static final String CELL = "%16s";

    private SummaryTable() {
    }

    static String render(List<PhaseResult> phases) {
        StringBuilder table = new StringBuilder();
        row(table, "", phases, PhaseResult::label);
        row(table, "requests sent", phases, p -> count(p.run().sent()));
        row(table, "succeeded (200)", phases, p -> count(p.run().succeeded()));
        row(table, "rejected by @LimitJobs (503)", phases, p -> count(p.run().rejected()));
        row(table, "failed (other)", phases, p -> count(p.run().failedCount()));
        if (phases.stream().anyMatch(p -> p.run().skipped() > 0)) {
            row(table, "not sent (client saturated)", phases, p -> count(p.run().skipped()));
        }
        row(table, "backend calls", phases, p -> count(p.backend().calls()));
        row(table, "mean batch size (SKUs/call)", phases, p -> decimal(p.backend().meanItemsPerCall()));
        row(table, "backend failures (503)", phases, p -> count(p.backend().failures()));
        row(table, "retries by @Retry", phases, p -> count(p.retries()));
        row(table, "throughput (ok/s)", phases, p -> decimal(p.run().throughput()));
        row(table, "latency p50 (ms)", phases, p -> decimal(p.run().latencies().percentileMillis(50)));
        row(table, "latency p99 (ms)", phases, p -> decimal(p.run().latencies().percentileMillis(99)));
        return table.toString();
    }

    private static void row(StringBuilder table, String name, List<PhaseResult> phases,
                            Function<PhaseResult, String> cell) {
        table.append(String.format(Locale.ROOT, ROW, name));
        for (PhaseResult phase : phases) {
            table.append(String.format(Locale.ROOT, CELL, cell.apply(phase)));
        }
        table.append(System.lineSeparator());
    }

    private static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String decimal(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.1f", value);
    }
}
