package dev.dike.sample.prices;

import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The inventory backend answered HTTP 503: a transient failure, which {@code @Retry} retries
 * (see {@code dike.retry.instances.inventory.exception-types} in {@code application.yml}).
 */
public class BackendUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param itemCount the number of SKUs of the failed bulk call
     * @param response  the 503 as Spring's client reports it; its headers carry the backend's
     *                  {@code Retry-After}, which dike finds through this cause
     */
    public BackendUnavailableException(int itemCount, WebClientResponseException response) {
        // No stack trace: the type says it all, and the retry's WARN line stays one line.
        super("Inventory backend answered 503 to a bulk lookup of " + itemCount + " SKUs"
                + retryAfter(response), response, false, false);
    }

    private static String retryAfter(WebClientResponseException response) {
        String retryAfter = response.getHeaders().getFirst("Retry-After");
        return retryAfter == null ? "" : " (Retry-After: " + retryAfter + ")";
    }
}
