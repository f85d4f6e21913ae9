package dev.dike.limit;

/**
 * Shields a {@link JobLimiter} from its listener (and its {@link CompletionListener}) with the limiters'
 * policy ({@link ListenerGuard}): a listener that throws, even an {@code Error}, must never leave a permit
 * or a waiting call behind; the first failure is logged at WARN, later ones at DEBUG.
 */
final class GuardedListener implements LimitListener {

    private static final String LOGGER = "dev.dike.limit";

    private final LimitListener delegate;
    private final ListenerGuard guard = new ListenerGuard(LOGGER, "Limit listener", "limiter");

    private GuardedListener(LimitListener delegate) {
        this.delegate = delegate;
    }

    static LimitListener guard(LimitListener listener) {
        return listener == LimitListener.NONE ? listener : new GuardedListener(listener);
    }

    /** Guards a completion listener of the limiter named {@code limiterName}, with the same policy. */
    static CompletionListener guard(String limiterName, CompletionListener listener) {
        ListenerGuard guard = new ListenerGuard(LOGGER, "Completion listener", "limiter");
        return new CompletionListener() {
            @Override
            public void onCompleted(long grantedNanos, long completedNanos, Outcome outcome) {
                try {
                    listener.onCompleted(grantedNanos, completedNanos, outcome);
                } catch (Throwable e) {
                    guard.failed(listener, "onCompleted", limiterName, e);
                }
            }

            @Override
            public boolean timeCall() {
                try {
                    return listener.timeCall();
                } catch (Throwable e) {
                    guard.failed(listener, "timeCall", limiterName, e);
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
            guard.failed(delegate, "onPermitted", name, e);
        }
    }

    @Override
    public void onRejected(String name, long waitNanos) {
        try {
            delegate.onRejected(name, waitNanos);
        } catch (Throwable e) {
            guard.failed(delegate, "onRejected", name, e);
        }
    }

    @Override
    public void onLimitChanged(String name, int oldLimit, int newLimit) {
        try {
            delegate.onLimitChanged(name, oldLimit, newLimit);
        } catch (Throwable e) {
            guard.failed(delegate, "onLimitChanged", name, e);
        }
    }
}
