package dev.dike.spring.actuate;

import dev.dike.batch.BatchConfig;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The {@code dike} endpoint over HTTP in a Spring MVC application. */
@SpringBootTest(properties = "management.endpoints.web.exposure.include=dike")
@AutoConfigureMockMvc
class DikeEndpointMvcTest {

    @Autowired
    private MockMvc mvc;

    @Autowired
    private DikeRegistry registry;

    @BeforeEach
    void createInstances() {
        registry.retrier("payments", RetryConfig.builder().attempts(4).delay(Duration.ofMillis(10)).build());
        registry.limiter("orders", 20, Duration.ZERO);
        registry.batcher("orders", BatchConfig.builder().targetBatchSize(50).build(),
                (key, columns) -> CompletableFuture.completedFuture(columns.get(0)));
    }

    @Test
    void listsEveryInstance() throws Exception {
        mvc.perform(get("/actuator/dike"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.retriers.payments.config.attempts").value(4))
                .andExpect(jsonPath("$.retriers.payments.config.delay").value("PT0.01S"))
                .andExpect(jsonPath("$.retriers.payments.config.maxDelay").doesNotExist())
                .andExpect(jsonPath("$.retriers.payments.config.respectRetryAfter").value(true))
                .andExpect(jsonPath("$.retriers.payments.config.maxRetryAfter").doesNotExist())
                .andExpect(jsonPath("$.limiters.orders.limit").value(20))
                .andExpect(jsonPath("$.limiters.orders.maxWait").value("PT0S"))
                .andExpect(jsonPath("$.limiters.orders.inFlight").value(0))
                .andExpect(jsonPath("$.limiters.orders.available").value(20))
                .andExpect(jsonPath("$.batchers.orders.config.targetBatchSize").value(50))
                .andExpect(jsonPath("$.batchers.orders.config.maxWaitingTime").value("PT0.01S"))
                .andExpect(jsonPath("$.batchers.orders.queuedRows").value(0));
    }

    @Test
    void showsOneName() throws Exception {
        mvc.perform(get("/actuator/dike/orders"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.retriers").isEmpty())
                .andExpect(jsonPath("$.limiters.orders.limit").value(20))
                .andExpect(jsonPath("$.batchers.orders.config.targetBatchSize").value(50));
    }

    @Test
    void answers404ForAnUnknownName() throws Exception {
        mvc.perform(get("/actuator/dike/nope")).andExpect(status().isNotFound());
    }

    @Test
    void changesALimitAndABatchAtRuntime() throws Exception {
        mvc.perform(post("/actuator/dike/orders").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"limit\": 5, \"targetBatchSize\": 100, \"maxWaitingTime\": \"25ms\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.limiters.orders.limit").value(5))
                .andExpect(jsonPath("$.batchers.orders.config.targetBatchSize").value(100))
                .andExpect(jsonPath("$.batchers.orders.config.maxWaitingTime").value("PT0.025S"));

        assertThat(registry.findLimiter("orders").orElseThrow().limit()).isEqualTo(5);
        assertThat(registry.findBatcher("orders").orElseThrow().config().targetBatchSize()).isEqualTo(100);
        registry.findLimiter("orders").orElseThrow().setLimit(20);
        registry.findBatcher("orders").orElseThrow().setTargetBatchSize(50);
        registry.findBatcher("orders").orElseThrow().setMaxWaitingTime(Duration.ofMillis(10));
    }

    @Test
    void answers400WithTheReasonForABadValue() throws Exception {
        mvc.perform(post("/actuator/dike/orders").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"limit\": -3}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.message").value("Invalid limit '-3' for limiter 'orders': must be at least 0"));
        mvc.perform(post("/actuator/dike/payments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"targetBatchSize\": 3}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.message").value("Cannot set targetBatchSize: dike instance 'payments' has no batcher"));
        assertThat(registry.findLimiter("orders").orElseThrow().limit()).isEqualTo(20);
    }

    @Test
    void answers404WithTheReasonWhenWritingAnUnknownName() throws Exception {
        mvc.perform(post("/actuator/dike/nope").contentType(MediaType.APPLICATION_JSON).content("{\"limit\": 3}"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.message").value("No dike instance named 'nope'"));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
    }
}
