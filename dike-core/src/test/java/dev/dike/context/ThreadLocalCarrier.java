package dev.dike.context;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ContextCarrier} over one {@link ThreadLocal}: what a caller sets there is what dike must make
 * current wherever it continues that caller's work. Records every capture and every end it hears.
 */
final class ThreadLocalCarrier implements ContextCarrier {

    static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    /** The value each capture saw, in capture order. */
    final List<String> captured = new CopyOnWriteArrayList<>();
    /** "value:null" or "value:ExceptionSimpleName", one per done() call. */
    final List<String> ended = new CopyOnWriteArrayList<>();

    @Override
    public Captured capture() {
        String value = CURRENT.get();
        captured.add(String.valueOf(value));
        return captureOf(value);
    }

    /** A captured context holding {@code value}, recorded like the others when it ends. */
    Captured captureOf(String value) {
        return new Captured() {
            @Override
            public Scope open() {
                String previous = CURRENT.get();
                CURRENT.set(value);
                return () -> CURRENT.set(previous);
            }

            @Override
            public void done(Throwable failure) {
                ended.add(value + ":" + (failure == null ? null : failure.getClass().getSimpleName()));
            }
        };
    }

    /** Runs {@code action} with {@code value} current on this thread, then clears it. */
    static void as(String value, Runnable action) {
        CURRENT.set(value);
        try {
            action.run();
        } finally {
            CURRENT.remove();
        }
    }
}
