package dev.dike.redis;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shields the cluster limits from their listener, as dike-core's limiter does: the first failure is
 * logged at WARN with its stack trace, later ones at DEBUG; a failure never affects a call.
 */
final class GuardedClusterListener implements ClusterListener {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedClusterListener.class);

    private final ClusterListener delegate;
    private final AtomicBoolean warned = new AtomicBoolean();

    private GuardedClusterListener(ClusterListener delegate) {
        this.delegate = delegate;
    }

    static ClusterListener guard(ClusterListener listener) {
        return listener == ClusterListener.NONE ? listener : new GuardedClusterListener(listener);
    }

    @Override
    public void onRoundTrip(String operation, long nanos, boolean succeeded) {
        try {
            delegate.onRoundTrip(operation, nanos, succeeded);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            failed("onRoundTrip", e);
        }
    }

    @Override
    public void onRenewed(int leases) {
        try {
            delegate.onRenewed(leases);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            failed("onRenewed", e);
        }
    }

    @Override
    public void onLeasesLost(String name, int count) {
        try {
            delegate.onLeasesLost(name, count);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            failed("onLeasesLost", e);
        }
    }

    @Override
    public void onAvailabilityChanged(boolean available) {
        try {
            delegate.onAvailabilityChanged(available);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            failed("onAvailabilityChanged", e);
        }
    }

    private void failed(String event, Throwable error) {
        String message = "Cluster listener " + delegate + " failed in " + event + "; ignored";
        if (warned.compareAndSet(false, true)) {
            LOG.warn("{} (further failures of this listener are logged at DEBUG)", message, error);
        } else {
            LOG.debug(message, error);
        }
    }
}
