package dev.dike.redis;

/** What a cluster limit does while Redis cannot be reached. */
public enum OnUnavailable {

    /**
     * Each instance admits up to {@code ceil(limit / instances last seen alive)} calls on its own, so the
     * fleet as a whole stays near the limit; the permits it grants meanwhile are added to Redis as leases
     * once it is back.
     */
    LOCAL,

    /** Every call that needs a permit is rejected with a {@link ClusterUnavailableException}. */
    REJECT
}
