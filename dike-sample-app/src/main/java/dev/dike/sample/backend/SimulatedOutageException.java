package dev.dike.sample.backend;

/** A transient failure that the simulated backend injects; answered with HTTP 503. */
final class SimulatedOutageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SimulatedOutageException() {
        // No stack trace: it is expected and frequent, and only its type matters.
        super("Simulated transient failure of the inventory backend", null, false, false);
    }
}
