package dev.dike.redis;

import dev.dike.limit.TooManyCallsException;

/**
 * A {@link TooManyCallsException} for a call that a cluster limit rejected because Redis could not be
 * reached and the limit is configured to reject then ({@link OnUnavailable#REJECT}). Handlers of
 * {@code TooManyCallsException} (such as the starter's HTTP 503 mapping) handle it too.
 */
public class ClusterUnavailableException extends TooManyCallsException {

    private static final long serialVersionUID = 1L;

    /**
     * @param limiterName the limit's name
     * @param limit       the cluster limit last known
     */
    public ClusterUnavailableException(String limiterName, int limit) {
        super(limiterName, limit);
    }

    @Override
    public String getMessage() {
        return "Too many calls to " + limiterName() + "! cluster limit=" + limit()
                + " unavailable: Redis cannot be reached and on-unavailable is reject";
    }
}
