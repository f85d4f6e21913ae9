package dev.dike.limit;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shields a {@link JobLimiter} from its listener (and its {@link CompletionListener}): a listener
 * that throws must never leave a permit or a waiting call behind. The first failure is logged at
 * WARN with its stack trace, later ones at DEBUG, so that a broken metrics hook cannot flood the log
 * from the hot path.
 *
 * <p>Every {@code Throwable} is caught, {@code Error}s included: the limiter calls the listeners in
 * the middle of its bookkeeping (a permit taken, a waiting call granted but not yet started, a
 * timed-out call not yet told, a permit being released), and an escaping {@code Error} would leave a permit held by nobody
 * and a caller waiting forever. A failure to log the failure is ignored too.
 */
final class GuardedListener implements LimitListener {

    private static final Logger LOG = LoggerFactory.getLogger("dev.dike.limit");

    private final LimitListener delegate;
    private final Failures failures;

    private GuardedListener(LimitListener delegate) {
        this.delegate = delegate;
        this.failures = new Failures("Limit listener", delegate);
    }

    static LimitListener guard(LimitListener listener) {
        return listener == LimitListener.NONE ? listener : new GuardedListener(listener);
    }

    /** Guards a completion listener of the limiter named {@code limiterName}, with the same policy. */
    static CompletionListener guard(String limiterName, CompletionListener listener) {
        Failures failures = new Failures("Completion listener", listener);
        return new CompletionListener() {
            @Override
            public void onCompleted(long grantedNanos, long completedNanos, Outcome outcome) {
                try {
                    listener.onCompleted(grantedNanos, completedNanos, outcome);
                } catch (Throwable e) {
                    failures.failed(limiterName, "onCompleted", e);
                }
            }

            @Override
            public boolean timeCall() {
                try {
                    return listener.timeCall();
                } catch (Throwable e) {
                    failures.failed(limiterName, "timeCall", e);
                    return true; // when in doubt, time it: a timed call is reported whatever its outcome
                }
            }
        };
    }

    @Override
    public void onPermitted(String name, long waitNanos) {
        try {
            delegate.onPermitted(name, waitNanos);
        } catch (Throwable e) {
            failures.failed(name, "onPermitted", e);
        }
    }

    @Override
    public void onRejected(String name, long waitNanos) {
        try {
            delegate.onRejected(name, waitNanos);
        } catch (Throwable e) {
            failures.failed(name, "onRejected", e);
        }
    }

    @Override
    public void onLimitChanged(String name, int oldLimit, int newLimit) {
        try {
            delegate.onLimitChanged(name, oldLimit, newLimit);
        } catch (Throwable e) {
            failures.failed(name, "onLimitChanged", e);
        }
    }

    /** The logging policy for one guarded listener: its first failure at WARN, later ones at DEBUG. */
    private static final class Failures {

        private final String kind;
        private final Object listener;
        private final AtomicBoolean warned = new AtomicBoolean();

        Failures(String kind, Object listener) {
            this.kind = kind;
            this.listener = listener;
        }

        void failed(String limiterName, String event, Throwable error) {
            try {
                String message = kind + " " + listener + " failed in " + event + " of limiter " + limiterName
                        + "; ignored";
                if (warned.compareAndSet(false, true)) {
                    LOG.warn("{} (further failures of this listener are logged at DEBUG)", message, error);
                } else {
                    LOG.debug(message, error);
                }
            } catch (Throwable unlogged) { // e.g. out of memory, or the listener's toString() throws: the limiter goes on
            }
        }
    }
}
