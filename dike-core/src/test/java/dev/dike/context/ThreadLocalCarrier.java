package dev.dike.context;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ContextCarrier} over one {@link ThreadLocal}: what a caller sets there is what dike must make
 * current wherever it continues that caller's work. Records every capture and every end it hears.
 * Shared through dike-core's test jar (dike-redis's cluster limiter uses it too).
 */
public final class ThreadLocalCarrier implements ContextCarrier {

    /** The context: what a caller set here must be current wherever dike continues its work. */
    public static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    /** The value each capture saw, in capture order. */
    public final List<String> captured = new CopyOnWriteArrayList<>();
    /** "value:null" or "value:ExceptionSimpleName", one per done() call. */
    public final List<String> ended = new CopyOnWriteArrayList<>();
    /** Every capture, waiting() and done() call in order: "value captured", "value waiting", "value done:null". */
    public final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public Captured capture() {
        String value = CURRENT.get();
        captured.add(String.valueOf(value));
        events.add(value + " captured");
        return captureOf(value);
    }

    /** A captured context holding {@code value}, recorded like the others when it ends. */
    public Captured captureOf(String value) {
        return new Captured() {
            @Override
            public Scope open() {
                String previous = CURRENT.get();
                CURRENT.set(value);
                return () -> CURRENT.set(previous);
            }

            @Override
            public void waiting() {
                events.add(value + " waiting");
            }

            @Override
            public void done(Throwable failure) {
                String end = failure == null ? null : failure.getClass().getSimpleName();
                ended.add(value + ":" + end);
                events.add(value + " done:" + end);
            }
        };
    }

    /** Runs {@code action} with {@code value} current on this thread, then clears it. */
    public static void as(String value, Runnable action) {
        CURRENT.set(value);
        try {
            action.run();
        } finally {
            CURRENT.remove();
        }
    }
}
