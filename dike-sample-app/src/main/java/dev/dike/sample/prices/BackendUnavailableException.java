package dev.dike.sample.prices;

/**
 * The inventory backend answered HTTP 503: a transient failure, which {@code @Retry} retries
 * (see {@code dike.retry.instances.inventory.exception-types} in {@code application.yml}).
 */
public class BackendUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param itemCount the number of SKUs of the failed bulk call */
    public BackendUnavailableException(int itemCount) {
        // No stack trace: the type says it all, and the retry's WARN line stays one line.
        super("Inventory backend answered 503 to a bulk lookup of " + itemCount + " SKUs", null, false, false);
    }
}
