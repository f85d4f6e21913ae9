package dev.dike.sample.demo;

import dev.dike.sample.backend.BackendStats;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's live progress line: rewritten in place on a terminal, one line per second otherwise
 * (e.g. when the output goes to a file), so that it stays readable in both.
 */
final class ProgressLine {

    private static final int TICKS_PER_PLAIN_LINE = 4;

    private final PrintStream out;
    private final String label;
    private final LoadRun run;
    private final boolean terminal = System.console() != null;
    private int ticks;

    ProgressLine(PrintStream out, String label, LoadRun run) {
        this.out = out;
        this.label = label;
        this.run = run;
    }

    /**
     * Shows the counts so far; call it from one thread at a time.
     *
     * @param backend the backend's calls so far in this phase
     * @param limit   the limit in force of {@code @LimitJobs prices}; NaN if unknown
     */
    void update(BackendStats backend, double limit) {
        if (terminal) {
            out.print("\r" + text(backend, limit) + "   ");
            out.flush();
        } else if (++ticks % TICKS_PER_PLAIN_LINE == 0) {
            out.println(text(backend, limit));
        }
    }

    /** Shows the final counts and ends the line. */
    void finish(BackendStats backend, double limit) {
        String text = text(backend, limit);
        out.print(terminal ? "\r" + text + "   " + System.lineSeparator() : text + System.lineSeparator());
        out.flush();
    }

    private String text(BackendStats backend, double limit) {
        return String.format(Locale.ROOT,
                "  %-20s %5.1fs  sent %,6d  ok %,6d  503 %,6d  in flight %,5d  limit %4s  backend calls %,6d (%.1f SKUs/call)",
                label, run.elapsedSeconds(), run.sent(), run.succeeded(), run.rejected(), run.inFlight(),
                Double.isNaN(limit) ? "-" : String.format(Locale.ROOT, "%.0f", limit),
                backend.calls(), backend.meanItemsPerCall());
    }
}
