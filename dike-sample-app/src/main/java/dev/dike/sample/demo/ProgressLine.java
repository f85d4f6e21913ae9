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

    /** Shows the counts so far; call it from one thread at a time. */
    void update(BackendStats backend) {
        if (terminal) {
            out.print("\r" + text(backend) + "   ");
            out.flush();
        } else if (++ticks % TICKS_PER_PLAIN_LINE == 0) {
            out.println(text(backend));
        }
    }

    /** Shows the final counts and ends the line. */
    void finish(BackendStats backend) {
        out.print(terminal ? "\r" + text(backend) + "   " + System.lineSeparator() : text(backend) + System.lineSeparator());
        out.flush();
    }

    private String text(BackendStats backend) {
        return String.format(Locale.ROOT,
                "  %-13s %5.1fs  sent %,7d  ok %,7d  503 %,6d  in flight %,5d  backend calls %,6d (%.1f SKUs/call)",
                label, run.elapsedSeconds(), run.sent(), run.succeeded(), run.rejected(), run.inFlight(),
                backend.calls(), backend.meanItemsPerCall());
    }
}
