package dev.dike.redis;

import dev.dike.limit.ListenerGuard;

/**
 * Shields the cluster limits from their listener with the policy of every dike limiter
 * ({@link ListenerGuard}): whatever it throws, {@code Error}s included, is caught, so that a reply from
 * Redis is always handled to the end (a round trip's future completed, a grant delivered); the first
 * failure is logged at WARN with its stack trace, later ones at DEBUG.
 */
final class GuardedClusterListener implements ClusterListener {

    private final ClusterListener delegate;
    private final String namespace;
    private final ListenerGuard guard = new ListenerGuard("dev.dike.redis", "Cluster listener", "namespace");

    private GuardedClusterListener(ClusterListener delegate, String namespace) {
        this.delegate = delegate;
        this.namespace = namespace;
    }

    static ClusterListener guard(ClusterListener listener, String namespace) {
        return listener == ClusterListener.NONE ? listener : new GuardedClusterListener(listener, namespace);
    }

    @Override
    public void onRoundTrip(String operation, long nanos, boolean succeeded) {
        try {
            delegate.onRoundTrip(operation, nanos, succeeded);
        } catch (Throwable e) {
            guard.failed(delegate, "onRoundTrip", namespace, e);
        }
    }

    @Override
    public void onRenewed(int leases) {
        try {
            delegate.onRenewed(leases);
        } catch (Throwable e) {
            guard.failed(delegate, "onRenewed", namespace, e);
        }
    }

    @Override
    public void onLeasesLost(String name, int count) {
        try {
            delegate.onLeasesLost(name, count);
        } catch (Throwable e) {
            guard.failed(delegate, "onLeasesLost", namespace, e);
        }
    }

    @Override
    public void onAvailabilityChanged(boolean available) {
        try {
            delegate.onAvailabilityChanged(available);
        } catch (Throwable e) {
            guard.failed(delegate, "onAvailabilityChanged", namespace, e);
        }
    }
}
