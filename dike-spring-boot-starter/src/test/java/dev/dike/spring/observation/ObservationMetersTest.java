package dev.dike.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * dike's observations next to dike's meters, with Boot's default meter observation handler, the
 * Prometheus registry and the actuator: after a retry that retried, a call that waited for a permit
 * and a batch, {@code /actuator/prometheus} answers over real HTTP with every dike series, those of the
 * observations included, and no name is used by two meters of different types or tag keys, neither
 * in Micrometer's names (which registries without base units use) nor in Prometheus's. The handler
 * would make {@code dike.limit.active} a long-task timer next to dike's gauge of that name; the
 * starter's meter filter renames it {@code dike.limit.wait.active}.
 */
class ObservationMetersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(MetersApplication.class).web(WebApplicationType.SERVLET)
                .properties("server.port=0", "management.endpoints.web.exposure.include=prometheus",
                        "management.tracing.sampling.probability=1.0", "dike.retry.defaults.log-exception-info=false")
                .run();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void prometheusServesEveryDikeSeriesAndNoNameHasTwoKindsOfMeter() throws Exception {
        Backend backend = context.getBean(Backend.class);
        assertThat(backend.flaky().get(10, TimeUnit.SECONDS)).isEqualTo("attempt 2");
        CompletableFuture<String> holder = new CompletableFuture<>();
        CompletableFuture<String> held = backend.limited(holder);
        CompletableFuture<String> waited = backend.limited(CompletableFuture.completedFuture("waited"));
        assertThat(context.getBean(DikeRegistry.class).findLimiter("meters-limit").orElseThrow().waiting()).isEqualTo(1);
        holder.complete("held");
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("waited");
        assertThat(held.join()).isEqualTo("held");
        CompletableFuture<List<Integer>> first = backend.doubled(List.of(1));
        CompletableFuture<List<Integer>> second = backend.doubled(List.of(2));
        assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(2);
        assertThat(second.get(10, TimeUnit.SECONDS)).containsExactly(4);
        MeterRegistry meters = context.getBean(MeterRegistry.class);
        await().atMost(TIMEOUT).until(() -> meters.find("dike.batch").timer() != null);

        assertThat(dikeMeters(meters, meter -> meter.getId().getType().name()))
                .as("the kinds of meter under each dike name").allSatisfy((name, types) -> assertThat(types)
                        .as(name).hasSize(1));
        assertThat(dikeMeters(meters, meter -> meter.getId().getTags().stream().map(Tag::getKey)
                .collect(Collectors.toCollection(TreeSet::new)).toString()))
                .as("the tag keys under each dike name").allSatisfy((name, keys) -> assertThat(keys).as(name).hasSize(1));
        assertThat(meters.find("dike.limit.active").gauges()).isNotEmpty();
        assertThat(meters.find("dike.limit.wait.active").longTaskTimer()).isNotNull();

        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + context.getEnvironment().getProperty("local.server.port")
                        + "/actuator/prometheus")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(scrape.statusCode()).isEqualTo(200);
        String body = scrape.body();
        assertThat(body).contains(
                // dike's own meters
                "dike_retry_calls_total{name=\"meters-retry\",outcome=\"success_with_retry\"} 1.0",
                "dike_retry_attempts_total{name=\"meters-retry\"} 1.0",
                "dike_limit_calls_total{name=\"meters-limit\",outcome=\"permitted\",scope=\"local\"} 2.0",
                "dike_limit_wait_seconds_count{name=\"meters-limit\",outcome=\"permitted\",scope=\"local\"} 2",
                "dike_limit_active_calls{name=\"meters-limit\",scope=\"local\"} 0.0",
                "dike_limit_limit_calls{name=\"meters-limit\",scope=\"local\"} 1.0",
                "dike_limit_waiting_calls{name=\"meters-limit\",scope=\"local\"} 0.0",
                "dike_batch_flushes_total{name=\"meters-batch\",reason=\"size\"} 1.0",
                "dike_batch_size_rows_count{name=\"meters-batch\"} 1",
                "dike_batch_calls_total{name=\"meters-batch\",outcome=\"success\"} 2.0",
                // the observations' timers, long-task timers and event counter
                "dike_retry_seconds_count{dike_name=\"meters-retry\",dike_outcome=\"success_with_retry\",error=\"none\"} 1",
                "dike_retry_active_seconds_count{dike_name=\"meters-retry\",dike_outcome=\"unknown\"} 0",
                "dike_retry_scheduled_total{dike_name=\"meters-retry\",dike_outcome=\"unknown\"} 1.0",
                "dike_limit_seconds_count{dike_name=\"meters-limit\",dike_outcome=\"permitted\",error=\"none\"} 1",
                "dike_limit_wait_active_seconds_count{dike_name=\"meters-limit\",dike_outcome=\"unknown\"} 0",
                "dike_batch_seconds_count{dike_batch_flush_reason=\"size\",dike_name=\"meters-batch\",dike_outcome=\"success\",error=\"none\"} 1",
                "dike_batch_active_seconds_count{dike_batch_flush_reason=\"size\",dike_name=\"meters-batch\",dike_outcome=\"unknown\"} 0");
        Map<String, Long> families = body.lines().filter(line -> line.startsWith("# TYPE "))
                .map(line -> line.split(" ")[2]).collect(Collectors.groupingBy(name -> name, Collectors.counting()));
        assertThat(families).as("Prometheus metric families declared more than once")
                .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L));
    }

    /** For each meter name that starts with {@code dike.}, the distinct values of {@code property}. */
    private static Map<String, Set<String>> dikeMeters(MeterRegistry meters, Function<Meter, String> property) {
        return meters.getMeters().stream().filter(meter -> meter.getId().getName().startsWith("dike."))
                .collect(Collectors.groupingBy(meter -> meter.getId().getName(), TreeMap::new,
                        Collectors.mapping(property, Collectors.toSet())));
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class MetersApplication {

        @Bean
        Backend backend() {
            return new Backend();
        }
    }

    /** One method per annotation. */
    static class Backend {

        private final AtomicInteger flakyCalls = new AtomicInteger();

        /** Fails once, then succeeds: one retry. */
        @Retry(name = "meters-retry", attempts = 2, delay = "1ms", jitter = 0)
        public CompletableFuture<String> flaky() {
            int attempt = flakyCalls.incrementAndGet();
            return attempt == 1 ? CompletableFuture.failedFuture(new IllegalStateException("first attempt fails"))
                    : CompletableFuture.completedFuture("attempt " + attempt);
        }

        /** One call at a time; a second call waits for the first's result. */
        @LimitJobs(name = "meters-limit", limit = 1, maxWait = "10s")
        public CompletableFuture<String> limited(CompletableFuture<String> result) {
            return result;
        }

        /** Two calls make a batch. */
        @Batch(name = "meters-batch", targetBatchSize = 2, maxWaitingTime = "10s")
        public CompletableFuture<List<Integer>> doubled(List<Integer> values) {
            return CompletableFuture.completedFuture(values.stream().map(value -> 2 * value).toList());
        }
    }
}
