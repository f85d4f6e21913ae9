package dev.dike.spring.web;

import dev.dike.annotation.LimitJobs;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application whose controller calls a {@code @LimitJobs} bean returning {@code Mono}:
 * a rejection becomes a 503 problem detail, and raising the limit through the actuator endpoint
 * lets the next call through.
 */
@SpringBootTest(properties = {"spring.main.web-application-type=reactive",
        "management.endpoints.web.exposure.include=dike"})
@AutoConfigureWebTestClient
class WebFluxApplicationTest {

    @Autowired
    private WebTestClient client;

    @Autowired
    private MeterRegistry meters;

    @Test
    void answers503UntilTheLimitIsRaisedAtRuntime() {
        client.get().uri("/quotes").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("about:blank")
                .jsonPath("$.status").isEqualTo(503)
                .jsonPath("$.title").isEqualTo("Service Unavailable")
                .jsonPath("$.detail").isEqualTo("Too many calls to quotes! limit=0 exceeded")
                .jsonPath("$.instance").isEqualTo("/quotes")
                .jsonPath("$.limiter").isEqualTo("quotes");

        client.post().uri("/actuator/dike/quotes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("limit", 1)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.limiters.quotes.limit").isEqualTo(1);
        client.get().uri("/quotes").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("quote");

        client.get().uri("/actuator/dike").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.limiters.quotes.permitted").isEqualTo(1)
                .jsonPath("$.limiters.quotes.rejected").isEqualTo(1);
        client.get().uri("/actuator/dike/nope").exchange().expectStatus().isNotFound();
        client.post().uri("/actuator/dike/quotes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("limit", -1)).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.message").isEqualTo("Invalid limit '-1' for limiter 'quotes': must be at least 0");
        assertThat(meters.get("dike.limit.calls").tags("name", "quotes", "outcome", "rejected").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("dike.limit.limit").tag("name", "quotes").gauge().value()).isEqualTo(1.0);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({QuoteController.class, QuoteService.class})
    static class Application {
    }

    @RestController
    static class QuoteController {

        private final QuoteService service;

        QuoteController(QuoteService service) {
            this.service = service;
        }

        @GetMapping("/quotes")
        Mono<String> quotes() {
            return service.quote();
        }
    }

    @Service
    static class QuoteService {

        @LimitJobs(name = "quotes", limit = 0)
        public Mono<String> quote() {
            return Mono.just("quote");
        }
    }
}
