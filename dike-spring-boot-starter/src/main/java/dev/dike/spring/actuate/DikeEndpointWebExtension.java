package dev.dike.spring.actuate;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

import java.util.Objects;

/**
 * Gives the {@link DikeEndpoint}'s write operation HTTP semantics: 404 for an unknown name and 400
 * for a bad value, each with a body {@code {"error": ..., "message": ...}} that says what is wrong.
 */
@EndpointWebExtension(endpoint = DikeEndpoint.class)
public class DikeEndpointWebExtension {

    private final DikeEndpoint endpoint;

    /**
     * @param endpoint the endpoint whose write operation this one wraps
     */
    public DikeEndpointWebExtension(DikeEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * See {@link DikeEndpoint#configure(String, Integer, Integer, String)}.
     *
     * @param name            the instance name
     * @param limit           the limiter's new limit; {@code null} to keep it
     * @param targetBatchSize the batcher's new target batch size; {@code null} to keep it
     * @param maxWaitingTime  the batcher's new maximum waiting time; {@code null} to keep it
     * @return 200 with the instances of that name after the change, 404 or 400 with an error body
     */
    @WriteOperation
    public WebEndpointResponse<Object> configure(@Selector String name, @Nullable Integer limit,
                                                 @Nullable Integer targetBatchSize, @Nullable String maxWaitingTime) {
        if (endpoint.instance(name) == null) {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "Not Found", "No dike instance named '" + name + "'");
        }
        try {
            return new WebEndpointResponse<>(endpoint.configure(name, limit, targetBatchSize, maxWaitingTime));
        }
        catch (InvalidEndpointRequestException ex) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Bad Request", ex.getReason());
        }
    }

    private static WebEndpointResponse<Object> error(int status, String error, String message) {
        return new WebEndpointResponse<>(new ErrorDescriptor(status, error, message), status);
    }

    /**
     * The body of a failed write.
     *
     * @param status  the HTTP status
     * @param error   the HTTP status' reason phrase
     * @param message what is wrong
     */
    public record ErrorDescriptor(int status, String error, String message) {
    }
}
