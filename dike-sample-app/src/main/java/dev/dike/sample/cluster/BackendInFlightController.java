package dev.dike.sample.cluster;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /backend/in-flight}: the simulated backend's calls in flight now and at most (see {@link BackendInFlight}). */
@RestController
class BackendInFlightController {

    private final BackendInFlight counter;

    BackendInFlightController(BackendInFlight counter) {
        this.counter = counter;
    }

    @GetMapping("/backend" + BackendInFlight.IN_FLIGHT)
    BackendInFlight.Load inFlight() {
        return counter.load();
    }
}
