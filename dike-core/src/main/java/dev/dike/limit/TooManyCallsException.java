package dev.dike.limit;

/**
 * Thrown, or delivered as the failure of a future or publisher, when a {@link JobLimiter} has no
 * permit for a call: {@code Too many calls to <name>! limit=<n> exceeded}. The starter maps it to
 * HTTP 503 in web applications.
 */
public class TooManyCallsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String limiterName;
    private final int limit;

    /**
     * @param limiterName the limiter's name
     * @param limit       the limit in force when the call was rejected
     */
    public TooManyCallsException(String limiterName, int limit) {
        super("Too many calls to " + limiterName + "! limit=" + limit + " exceeded", null, false, false);
        this.limiterName = limiterName;
        this.limit = limit;
    }

    /** @return the name of the limiter that rejected the call */
    public String limiterName() {
        return limiterName;
    }

    /** @return the limit in force when the call was rejected */
    public int limit() {
        return limit;
    }
}
