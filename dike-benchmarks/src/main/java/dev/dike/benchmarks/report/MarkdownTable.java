package dev.dike.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A GitHub-flavoured Markdown table, and the number formats the report uses in its cells. Public for
 * the adaptive-limit report, which lives with the simulation in the test sources.
 */
public final class MarkdownTable {

    /** What a cell shows when the run has no such row. */
    static final String MISSING = "n/a";

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    /** @param header the column titles */
    public MarkdownTable(String... header) {
        this.header = List.of(header);
    }

    /**
     * @param cells one cell per column
     * @return this table
     */
    public MarkdownTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("Row has " + cells.length + " cells, header has " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    /** @return the table, one line per row */
    public String render() {
        StringBuilder out = new StringBuilder();
        line(out, header);
        List<String> rule = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            rule.add(i == 0 ? "---" : "---:");
        }
        line(out, rule);
        rows.forEach(row -> line(out, row));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    /** @return e.g. {@code 12.3 ± 0.4}, or {@link #MISSING} */
    static String scoreWithError(Optional<JmhResult> result) {
        return result.map(r -> Double.isNaN(r.error())
                ? number(r.score())
                : number(r.score()) + " ± " + number(r.error())).orElse(MISSING);
    }

    /** @return bytes allocated per operation, or {@link #MISSING} without {@code -prof gc} */
    static String allocation(Optional<JmhResult> result) {
        return result.filter(r -> !Double.isNaN(r.allocatedBytesPerOp()))
                .map(r -> r.allocatedBytesPerOp() < 0.5 ? "≈ 0" : String.format(Locale.ROOT, "%.0f", r.allocatedBytesPerOp()))
                .orElse(MISSING);
    }

    /** @return e.g. {@code 1.23×}, or {@link #MISSING} */
    static String ratio(double numerator, double denominator) {
        if (Double.isNaN(numerator) || Double.isNaN(denominator) || denominator == 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.2f×", numerator / denominator);
    }

    /** @return three significant digits, with thousands separators above 1000 */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return MISSING;
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (magnitude >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
