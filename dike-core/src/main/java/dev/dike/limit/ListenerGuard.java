package dev.dike.limit;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a limiter does when one of its listeners throws: the one policy of every dike limiter, local
 * ({@link JobLimiter}) or cluster-wide (dike-redis). A listener runs in the middle of the limiter's
 * bookkeeping (a permit taken, a waiting call granted, a reply from Redis being handled), so its failure
 * must never escape: every {@code Throwable} is caught, {@code Error}s included, since an escaping one would
 * leave a permit held by nobody or a caller waiting forever. The first failure of the listener is logged at
 * WARN with its stack trace, later ones at DEBUG, so that a broken metrics hook cannot flood the log from
 * the hot path; a failure to log (out of memory, or the listener's {@code toString()} throws) is ignored too.
 *
 * <p>For dike's own limiters: {@link #guard(LimitListener)} wraps a {@link LimitListener}; a limiter with
 * listeners of its own catches {@code Throwable} around each call and hands it to {@link #failed}. One guard
 * per listener; thread-safe and lock-free.
 */
public final class ListenerGuard {

    private final Logger log;
    private final String kind;
    private final String owner;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param loggerName the logger failures are logged to, e.g. {@code dev.dike.limit}
     * @param kind       what the listener is, for messages, e.g. {@code Limit listener}
     * @param owner      what the instance named in messages is, e.g. {@code limiter}
     */
    public ListenerGuard(String loggerName, String kind, String owner) {
        this.log = LoggerFactory.getLogger(Objects.requireNonNull(loggerName, "loggerName"));
        this.kind = Objects.requireNonNull(kind, "kind");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * Guards a limiter's listener with this policy, as {@link JobLimiter} guards its own.
     *
     * @param listener the listener
     * @return a listener that calls it and never throws; {@link LimitListener#NONE} stays itself
     */
    public static LimitListener guard(LimitListener listener) {
        return GuardedListener.guard(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Logs a listener's failure (WARN the first time, DEBUG later) and returns normally, whatever happens.
     *
     * @param listener the listener that threw
     * @param event    the method that threw, e.g. {@code onPermitted}
     * @param instance the name of the instance whose event it was
     * @param error    what it threw
     */
    public void failed(Object listener, String event, String instance, Throwable error) {
        try {
            String message = kind + " " + listener + " failed in " + event + " of " + owner + " " + instance + "; ignored";
            if (warned.compareAndSet(false, true)) {
                log.warn("{} (further failures of this listener are logged at DEBUG)", message, error);
            } else {
                log.debug(message, error);
            }
        } catch (Throwable unlogged) { // e.g. out of memory, or the listener's toString() throws: the limiter goes on
        }
    }
}
