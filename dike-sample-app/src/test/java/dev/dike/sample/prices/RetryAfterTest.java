package dev.dike.sample.prices;

import dev.dike.sample.Http;
import dev.dike.sample.Price;
import dev.dike.sample.SampleAppTest;
import dev.dike.sample.backend.BackendProperties;
import dev.dike.sample.backend.InventoryBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server pushback end to end: the simulated backend's injected 503 carries {@code Retry-After},
 * {@link InventoryClient} surfaces it through Spring's {@code WebClientResponseException}, and dike's
 * {@code @Retry} waits at least that long before the next attempt.
 */
@SampleAppTest
class RetryAfterTest {

    @LocalServerPort
    int port;

    @Autowired
    BackendProperties backendSettings;

    @Autowired
    InventoryBackend backend;

    @Autowired
    InventoryClient inventory;

    @AfterEach
    void restoreBackend() {
        backendSettings.setFailureRate(Double.parseDouble(SampleAppTest.FAILURE_RATE));
        backendSettings.setRetryAfter(Duration.ZERO);
    }

    @Test
    void injected503CarriesTheConfiguredRetryAfterInDeltaSeconds() {
        backendSettings.setFailureRate(1);
        backendSettings.setRetryAfter(Duration.ofSeconds(7));

        ResponseEntity<String> answer = postToBackend();

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().get("Retry-After")).containsExactly("7");
    }

    @Test
    void noRetryAfterWhenItIsZero() {
        backendSettings.setFailureRate(1);

        ResponseEntity<String> answer = postToBackend();

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().containsHeader("Retry-After")).isFalse();
    }

    /**
     * The test configuration retries after 1 ms; only the backend's {@code Retry-After: 1} can make the
     * second attempt wait a second. The backend fails until it has seen the first attempt, then
     * succeeds: without pushback, attempts would follow each other every few milliseconds until then,
     * and the call would end well within a second.
     */
    @Test
    void theNextAttemptWaitsAtLeastTheRetryAfter() {
        backendSettings.setFailureRate(1);
        backendSettings.setRetryAfter(Duration.ofSeconds(1));
        long callsBefore = backend.stats().calls();
        long start = System.nanoTime();

        CompletableFuture<List<Price>> prices = inventory.fetchPrices(List.of("PUSHBACK-1")).toFuture();
        await().atMost(Http.TIMEOUT).until(() -> backend.stats().calls() > callsBefore);
        backendSettings.setFailureRate(0);

        assertThat(prices).succeedsWithin(Http.TIMEOUT);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        long attempts = backend.stats().calls() - callsBefore;
        assertThat(attempts).as("attempts").isGreaterThanOrEqualTo(2);
        // A slow machine may let a second failing attempt in before the switch: each waited a second.
        assertThat(elapsed).as("time for %d attempts", attempts).isGreaterThanOrEqualTo(Duration.ofSeconds(attempts - 1));
    }

    private ResponseEntity<String> postToBackend() {
        return Http.client(port).post().uri("/backend/prices").bodyValue(List.of("SKU-1"))
                .exchangeToMono(response -> response.toEntity(String.class)).block(Http.TIMEOUT);
    }
}
