package dev.dike.sample.backend;

import dev.dike.sample.Price;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * The simulated inventory backend's HTTP API. The price service reaches it over real HTTP, on the
 * application's own port, as it would reach a separate system.
 */
@RestController
@RequestMapping("/backend")
class InventoryBackendController {

    private final InventoryBackend backend;
    private final BackendProperties properties;

    InventoryBackendController(InventoryBackend backend, BackendProperties properties) {
        this.backend = backend;
        this.properties = properties;
    }

    /**
     * Bulk lookup: {@code POST /backend/prices} with a JSON array of SKUs.
     *
     * @param skus the articles
     * @return their prices, in the same order
     */
    @PostMapping("/prices")
    Mono<List<Price>> prices(@RequestBody List<String> skus) {
        if (skus.isEmpty() || skus.size() > properties.getMaxItems()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "Expected between 1 and " + properties.getMaxItems() + " SKUs, got " + skus.size());
        }
        return backend.lookup(skus);
    }

    /** @return calls, items and failures served so far: {@code GET /backend/stats} */
    @GetMapping("/stats")
    BackendStats stats() {
        return backend.stats();
    }

    @ExceptionHandler(SimulatedOutageException.class)
    ResponseEntity<ProblemDetail> outage(SimulatedOutageException failure) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, failure.getMessage());
        problem.setTitle("Inventory backend unavailable");
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE);
        if (failure.retryAfterSeconds() > 0) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(failure.retryAfterSeconds()));
        }
        return response.body(problem);
    }
}
