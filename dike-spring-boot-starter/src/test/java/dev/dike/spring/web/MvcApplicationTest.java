package dev.dike.spring.web;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * A Spring MVC application with annotated beans: a {@code @LimitJobs} rejection becomes a 503
 * problem detail, and the meters and the actuator endpoint count the calls of every annotation.
 */
@SpringBootTest(properties = "management.endpoints.web.exposure.include=dike")
@AutoConfigureMockMvc
class MvcApplicationTest {

    @Autowired
    private MockMvc mvc;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private OrderService service;

    @Test
    void rejectsTheCallOverTheLimitWith503AndCountsIt() throws Exception {
        MvcResult first = mvc.perform(get("/orders")).andExpect(request().asyncStarted()).andReturn();

        MvcResult second = mvc.perform(get("/orders")).andReturn();
        mvc.perform(asyncDispatch(second))
                .andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                // The same body, member for member, as on Spring Boot 3.5 (see dike-boot35-tests).
                .andExpect(content().json("""
                        {"type": "about:blank", "title": "Service Unavailable", "status": 503,
                         "detail": "Too many calls to orders! limit=1 exceeded", "instance": "/orders",
                         "limiter": "orders"}""", JsonCompareMode.STRICT));
        mvc.perform(get("/actuator/dike/orders"))
                .andExpect(jsonPath("$.limiters.orders.inFlight").value(1))
                .andExpect(jsonPath("$.limiters.orders.rejected").value(1));
        assertThat(meters.get("dike.limit.active").tag("name", "orders").gauge().value()).isEqualTo(1.0);

        service.finish("order 1");
        mvc.perform(asyncDispatch(first)).andExpect(status().isOk()).andExpect(content().string("order 1"));

        assertThat(meters.get("dike.limit.calls").tags("name", "orders", "outcome", "permitted").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("dike.limit.calls").tags("name", "orders", "outcome", "rejected").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("dike.limit.active").tag("name", "orders").gauge().value()).isZero();
    }

    @Test
    void mapsASynchronousRejectionTo503() throws Exception {
        mvc.perform(get("/closed"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.detail").value("Too many calls to closed! limit=0 exceeded"))
                .andExpect(jsonPath("$.limiter").value("closed"));
    }

    @Test
    void countsRetriesOfAnAnnotatedBeanAndShowsItsConfiguration(@Autowired PaymentService payments) throws Exception {
        assertThat(payments.pay().join()).isEqualTo("paid after 3 attempts");

        // The listener hears of a call just after its caller does.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters.get("dike.retry.calls")
                .tags("name", "payments", "outcome", "success_with_retry").counter().count()).isEqualTo(1));
        assertThat(meters.get("dike.retry.attempts").tag("name", "payments").counter().count()).isEqualTo(2);
        assertThat(meters.get("dike.retry.calls").tags("name", "payments", "outcome", "success_without_retry")
                .counter().count()).isZero();
        mvc.perform(get("/actuator/dike/payments"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.retriers.payments.config.attempts").value(3))
                .andExpect(jsonPath("$.retriers.payments.config.delay").value("PT0.001S"));
    }

    @Test
    void recordsBatchesOfAnAnnotatedBean(@Autowired LookupService lookups) throws Exception {
        CompletableFuture<List<String>> first = lookups.lookup(List.of(1, 2));
        mvc.perform(get("/actuator/dike/lookup"))
                .andExpect(jsonPath("$.batchers.lookup.queuedCalls").value(1))
                .andExpect(jsonPath("$.batchers.lookup.queuedRows").value(2))
                .andExpect(jsonPath("$.batchers.lookup.config.targetBatchSize").value(3));
        CompletableFuture<List<String>> second = lookups.lookup(List.of(3));

        assertThat(first.join()).containsExactly("item 1", "item 2");
        assertThat(second.join()).containsExactly("item 3");
        // The listener hears of a call just after its caller does.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters.get("dike.batch.calls")
                .tags("name", "lookup", "outcome", "success").counter().count()).isEqualTo(2));
        assertThat(meters.get("dike.batch.size").tag("name", "lookup").summary().totalAmount()).isEqualTo(3.0);
        assertThat(meters.get("dike.batch.flushes").tags("name", "lookup", "reason", "size").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("dike.batch.queued").tag("name", "lookup").gauge().value()).isZero();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({OrderController.class, OrderService.class, PaymentService.class, LookupService.class})
    static class Application {
    }

    @RestController
    static class OrderController {

        private final OrderService service;

        OrderController(OrderService service) {
            this.service = service;
        }

        @GetMapping("/orders")
        CompletableFuture<String> orders() {
            return service.order();
        }

        @GetMapping("/closed")
        String closed() {
            return service.closed();
        }
    }

    @Service
    static class LookupService {

        @Batch(name = "lookup", targetBatchSize = 3, maxWaitingTime = "1h")
        public CompletableFuture<List<String>> lookup(List<Integer> ids) {
            return CompletableFuture.completedFuture(ids.stream().map(id -> "item " + id).toList());
        }
    }

    @Service
    static class PaymentService {

        private final AtomicInteger attempts = new AtomicInteger();

        @Retry(name = "payments", attempts = 3, delay = "1ms", logExceptionInfo = false)
        public CompletableFuture<String> pay() {
            int attempt = attempts.incrementAndGet();
            if (attempt < 3) {
                return CompletableFuture.failedFuture(new IllegalStateException("gateway busy"));
            }
            return CompletableFuture.completedFuture("paid after " + attempt + " attempts");
        }
    }

    @Service
    static class OrderService {

        private final CompletableFuture<String> gate = new CompletableFuture<>();

        @LimitJobs(name = "orders", limit = 1)
        public CompletableFuture<String> order() {
            return gate;
        }

        // Called on the proxy, so it must be a method: a field read through the proxy sees null.
        public void finish(String result) {
            gate.complete(result);
        }

        @LimitJobs(name = "closed", limit = 0)
        public String closed() {
            return "never";
        }
    }
}
