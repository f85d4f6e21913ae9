package dev.dike.sample.prices;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.concurrent.TimeoutException;

/**
 * Problem details for failures the retries could not hide. Overload ({@code TooManyCallsException})
 * is not handled here: the dike starter maps it to HTTP 503.
 */
@RestControllerAdvice(assignableTypes = PriceController.class)
class PriceErrors {

    @ExceptionHandler(BackendUnavailableException.class)
    ResponseEntity<ProblemDetail> backendUnavailable(BackendUnavailableException failure) {
        return problem(HttpStatus.BAD_GATEWAY, "Inventory backend unavailable",
                failure.getMessage() + "; @Retry gave up (attempts used up or retry budget spent)");
    }

    @ExceptionHandler(TimeoutException.class)
    ResponseEntity<ProblemDetail> timeout(TimeoutException failure) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "Inventory lookup timed out", failure.getMessage());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}
