package dev.dike.boot35;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.SpringVersion;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a Spring MVC application on Spring Boot 3.5 (Spring Framework 6.2), configured by
 * {@code application.yml}, served on a random port and called over real HTTP: all three annotations
 * take effect, the meters are in Boot's {@link MeterRegistry}, {@code /actuator/dike} answers, a
 * rejection is the same 503 problem body as on Boot 4, and dike's observations reach Boot 3.5's
 * {@link ObservationRegistry} with their parents.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class Boot35ApplicationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry meters;

    @Test
    void runsOnSpringBoot35AndSpringFramework62() {
        assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
        assertThat(SpringVersion.getVersion()).startsWith("6.2.");
    }

    @Test
    void rejectionOverTheLimitIsThe503ProblemBody(@Autowired Orders orders) throws Exception {
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(request("/orders"),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(TIMEOUT).until(() -> orders.started() == 1);

        HttpResponse<String> second = get("/orders");

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readValue(second.body(), Map.class)).isEqualTo(Map.of(
                "type", "about:blank",
                "title", "Service Unavailable",
                "status", 503,
                "detail", "Too many calls to orders! limit=1 exceeded",
                "instance", "/orders",
                "limiter", "orders"));
        Map<?, ?> endpoint = json.readValue(get("/actuator/dike/orders").body(), Map.class);
        assertThat(path(endpoint, "limiters", "orders", "inFlight")).isEqualTo(1);
        assertThat(path(endpoint, "limiters", "orders", "rejected")).isEqualTo(1);

        orders.finish("order 1");
        assertThat(first.get().body()).isEqualTo("order 1");
        assertThat(meters.get("dike.limit.calls").tags("name", "orders", "outcome", "rejected").counter().count())
                .isEqualTo(1);
    }

    @Test
    void retriesWithTheAttemptsOfTheYamlAndCountsThem(@Autowired Payments payments) throws Exception {
        assertThat(payments.pay().get()).isEqualTo("paid after 3 attempts");

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(meters.get("dike.retry.calls")
                .tags("name", "payments", "outcome", "success_with_retry").counter().count()).isEqualTo(1));
        Map<?, ?> endpoint = json.readValue(get("/actuator/dike/payments").body(), Map.class);
        assertThat(path(endpoint, "retriers", "payments", "config", "attempts")).isEqualTo(3);
        assertThat(path(endpoint, "retriers", "payments", "config", "delay")).isEqualTo("PT0.001S");
        Map<?, ?> metric = json.readValue(get("/actuator/metrics/dike.retry.attempts?tag=name:payments").body(),
                Map.class);
        assertThat(metric.get("measurements")).asString().contains("value=2.0");
    }

    @Test
    void batchesCallsWithTheTargetSizeOfTheYaml(@Autowired Lookups lookups) throws Exception {
        CompletableFuture<List<String>> first = lookups.lookup(List.of(1));
        CompletableFuture<List<String>> second = lookups.lookup(List.of(2));

        assertThat(first.get()).containsExactly("item 1");
        assertThat(second.get()).containsExactly("item 2");
        assertThat(lookups.batches()).isEqualTo(1);
        assertThat(meters.get("dike.batch.flushes").tags("name", "Lookups.lookup", "reason", "size").counter()
                .count()).isEqualTo(1);
        Map<?, ?> endpoint = json.readValue(get("/actuator/dike").body(), Map.class);
        assertThat(path(endpoint, "batchers", "Lookups.lookup", "config", "targetBatchSize")).isEqualTo(2);
    }

    @Test
    void observesRetriesWaitsAndBatchesWithBoot35sRegistryAndKeepsMeterNamesApart(@Autowired Traced traced,
            @Autowired ObservationRegistry registry, @Autowired Recorded recorded) throws Exception {
        Observation caller = Observation.start("caller", registry);
        CompletableFuture<String> holder = new CompletableFuture<>();
        CompletableFuture<String> held;
        CompletableFuture<String> waited;
        try (Observation.Scope scope = caller.openScope()) {
            assertThat(traced.flaky().get(10, TimeUnit.SECONDS)).isEqualTo("attempt 2");
            held = traced.limited(holder);
            waited = traced.limited(CompletableFuture.completedFuture("waited"));
        }
        holder.complete("held");
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("waited");
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
        CompletableFuture<List<Integer>> first = traced.doubled(List.of(1));
        CompletableFuture<List<Integer>> second = traced.doubled(List.of(2));
        assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(2);
        assertThat(second.get(10, TimeUnit.SECONDS)).containsExactly(4);
        caller.stop();

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(List.of(recorded.of("dike.retry", "traced-retry"),
                recorded.of("dike.limit", "traced-limit"), recorded.of("dike.batch", "traced-batch")))
                .as("stopped observations").allSatisfy(stopped -> assertThat(stopped).isNotEmpty()));
        assertThat(recorded.of("dike.retry", "traced-retry")).singleElement().satisfies(retry -> {
            assertThat(retry.getParentObservation()).isSameAs(caller);
            assertThat(retry.getLowCardinalityKeyValue("dike.outcome").getValue()).isEqualTo("success_with_retry");
        });
        assertThat(recorded.of("dike.limit", "traced-limit")).as("only the call that waited").singleElement().satisfies(wait -> {
            assertThat(wait.getParentObservation()).isSameAs(caller);
            assertThat(wait.getLowCardinalityKeyValue("dike.outcome").getValue()).isEqualTo("permitted");
        });
        assertThat(recorded.of("dike.batch", "traced-batch")).singleElement().satisfies(batch -> {
            assertThat(batch.getParentObservation()).isNull();
            assertThat(batch.getLowCardinalityKeyValue("dike.batch.flush.reason").getValue()).isEqualTo("size");
        });
        assertThat(meters.find("dike.limit.active").gauges()).isNotEmpty();
        assertThat(meters.find("dike.limit.wait.active").longTaskTimer()).isNotNull();
        assertThat(meters.getMeters().stream().filter(meter -> meter.getId().getName().startsWith("dike."))
                .collect(Collectors.groupingBy(meter -> meter.getId().getName(),
                        Collectors.mapping(meter -> meter.getId().getType(), Collectors.toSet()))))
                .as("the kinds of meter under each dike name")
                .allSatisfy((name, types) -> assertThat(types).as(name).hasSize(1));
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(TIMEOUT).build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private static Object path(Map<?, ?> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            assertThat(current).as("parent of %s", key).isInstanceOf(Map.class);
            current = ((Map<?, ?>) current).get(key);
        }
        return current;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({OrderController.class, Orders.class, Payments.class, Lookups.class, Traced.class, Recorded.class})
    static class Application {
    }

    /** Every observation the application stopped; Boot 3.5 registers ObservationHandler beans. */
    static class Recorded implements ObservationHandler<Observation.Context> {

        private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        /** The stopped observations of this name whose {@code dike.name} is {@code instance}. */
        List<Observation.Context> of(String name, String instance) {
            return stopped.stream().filter(context -> name.equals(context.getName())
                    && instance.equals(context.getLowCardinalityKeyValue("dike.name").getValue())).toList();
        }
    }

    @Service
    static class Traced {

        private final AtomicInteger flakyCalls = new AtomicInteger();

        @Retry(name = "traced-retry", attempts = 2)
        public CompletableFuture<String> flaky() {
            int attempt = flakyCalls.incrementAndGet();
            return attempt == 1 ? CompletableFuture.failedFuture(new IllegalStateException("first attempt fails"))
                    : CompletableFuture.completedFuture("attempt " + attempt);
        }

        /** A second call waits for the first one's result. */
        @LimitJobs(name = "traced-limit", limit = 1, maxWait = "10s")
        public CompletableFuture<String> limited(CompletableFuture<String> result) {
            return result;
        }

        @Batch(name = "traced-batch", targetBatchSize = 2, maxWaitingTime = "10s")
        public CompletableFuture<List<Integer>> doubled(List<Integer> values) {
            return CompletableFuture.completedFuture(values.stream().map(value -> 2 * value).toList());
        }
    }

    @RestController
    static class OrderController {

        private final Orders orders;

        OrderController(Orders orders) {
            this.orders = orders;
        }

        @GetMapping("/orders")
        CompletableFuture<String> orders() {
            return orders.order();
        }
    }

    @Service
    static class Orders {

        // Read through methods: the test holds the proxy, whose own fields are null.
        private final AtomicInteger started = new AtomicInteger();
        private final CompletableFuture<String> gate = new CompletableFuture<>();

        /** The limit comes from application.yml. */
        @LimitJobs(name = "orders")
        public CompletableFuture<String> order() {
            started.incrementAndGet();
            return gate;
        }

        public int started() {
            return started.get();
        }

        public void finish(String result) {
            gate.complete(result);
        }
    }

    @Service
    static class Payments {

        private final AtomicInteger attempts = new AtomicInteger();

        /** attempts and delay come from application.yml. */
        @Retry(name = "payments")
        public CompletableFuture<String> pay() {
            int attempt = attempts.incrementAndGet();
            if (attempt < 3) {
                return CompletableFuture.failedFuture(new IllegalStateException("gateway busy"));
            }
            return CompletableFuture.completedFuture("paid after " + attempt + " attempts");
        }
    }

    @Service
    static class Lookups {

        private final AtomicInteger batches = new AtomicInteger();

        /** The default instance name has a dot: application.yml configures it in brackets. */
        @Batch
        public CompletableFuture<List<String>> lookup(List<Integer> ids) {
            batches.incrementAndGet();
            return CompletableFuture.completedFuture(ids.stream().map(id -> "item " + id).toList());
        }

        public int batches() {
            return batches.get();
        }
    }
}
