package dev.dike.redis;

/**
 * Receives the events of the cluster limits of one {@link ClusterLimits}, e.g. to publish metrics.
 * Methods run on the thread that observed the event (a Lettuce event-loop thread for round trips, the
 * scheduler's for renewals) and must return quickly without blocking. An exception thrown here is
 * logged once at WARN (later ones at DEBUG) and otherwise ignored.
 */
public interface ClusterListener {

    /** A listener that does nothing. */
    ClusterListener NONE = new ClusterListener() {
    };

    /**
     * One script or command went to Redis and came back, or failed.
     *
     * @param operation {@code acquire}, {@code release}, {@code renew}, {@code set-limit} or {@code leave}
     * @param nanos     how long it took until the reply or the failure
     * @param succeeded whether a reply came back (a rejection is a successful round trip)
     */
    default void onRoundTrip(String operation, long nanos, boolean succeeded) {
    }

    /**
     * One renewal round trip renewed this instance's leases.
     *
     * @param leases the number of leases renewed
     */
    default void onRenewed(int leases) {
    }

    /**
     * Leases of this instance had expired before they could be renewed (the instance was cut off or
     * paused for longer than the lease time); their permits may have been handed to someone else.
     *
     * @param name  the limit's name
     * @param count the number of leases lost
     */
    default void onLeasesLost(String name, int count) {
    }

    /**
     * Redis became unreachable (the limits fall back to {@link OnUnavailable}) or reachable again.
     *
     * @param available whether Redis is reachable now
     */
    default void onAvailabilityChanged(boolean available) {
    }
}
