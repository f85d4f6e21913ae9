package dev.dike.sample.backend;

/**
 * A transient failure that the simulated backend injects; answered with HTTP 503 and, when the
 * backend is configured to, a {@code Retry-After} header.
 */
final class SimulatedOutageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    /** @param retryAfterSeconds the {@code Retry-After} to answer with, in seconds; 0 for none */
    SimulatedOutageException(long retryAfterSeconds) {
        // No stack trace: it is expected and frequent, and only its type matters.
        super("Simulated transient failure of the inventory backend", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return the {@code Retry-After} to answer with, in seconds; 0 for none */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
