package dev.dike.spring.observation;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with Micrometer Tracing on OpenTelemetry, whose spans are kept in memory
 * as each one ends, and one bean per dike annotation whose methods make a span of their own (the
 * "outgoing call" whose parent the tests check).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class TracingTestApplication {

    @Bean
    Spans spans() {
        return new Spans(InMemorySpanExporter.create());
    }

    /** Exports each span as it ends, so a test sees it at once; Boot adds every SpanProcessor bean. */
    @Bean
    SpanProcessor testSpanProcessor(Spans spans) {
        return SimpleSpanProcessor.create(spans.exporter());
    }

    @Bean
    TracedService tracedService(ObservationRegistry registry) {
        return new TracedService(registry);
    }

    /** The finished spans. Not a SpanExporter bean: Boot would export to it a second time. */
    record Spans(InMemorySpanExporter exporter) {
    }

    /** Methods behind dike annotations; each run makes one span named after the method. */
    static class TracedService {

        private final ObservationRegistry registry;
        private final AtomicInteger flakyCalls = new AtomicInteger();
        private volatile CompletableFuture<String> firstAttempt;
        /** The result each limited call returns, by caller. */
        private final Map<String, CompletableFuture<String>> limitedResults = new ConcurrentHashMap<>();

        TracedService(ObservationRegistry registry) {
            this.registry = registry;
        }

        /**
         * Its first attempt returns a future that {@link #failFirstAttempt()} fails later, on whatever
         * thread calls it; the second attempt, 20 ms later, succeeds.
         */
        @Retry(name = "traced-retry", attempts = 2, delay = "20ms", jitter = 0)
        public CompletableFuture<String> flaky() {
            int attempt = flakyCalls.incrementAndGet();
            return Observation.createNotStarted("attempt", registry).observe(() -> {
                if (attempt % 2 == 0) {
                    return CompletableFuture.completedFuture("attempt " + attempt);
                }
                firstAttempt = new CompletableFuture<>();
                return firstAttempt;
            });
        }

        /** Fails the pending first attempt of {@link #flaky()} on the calling thread. */
        public void failFirstAttempt() {
            firstAttempt.completeExceptionally(new IllegalStateException("first attempt fails"));
        }

        /** One call at a time; the result is the one registered for this caller, completed by the test. */
        @LimitJobs(name = "traced-limit", limit = 1, maxWait = "10s")
        public CompletableFuture<String> limited(String caller) {
            return Observation.createNotStarted("limited " + caller, registry)
                    .observe(() -> limitedResults.computeIfAbsent(caller, key -> new CompletableFuture<>()));
        }

        /** Twenty calls make a batch; the merged call makes one span. */
        @Batch(name = "traced-batch", targetBatchSize = 20, maxWaitingTime = "10s")
        public CompletableFuture<List<Integer>> doubled(List<Integer> values) {
            return Observation.createNotStarted("bulk", registry)
                    .observe(() -> CompletableFuture.completedFuture(values.stream().map(value -> 2 * value).toList()));
        }

        /** {@link #limited(String)} under a limit that is cluster-wide when {@code scope: cluster} is set. */
        @LimitJobs(name = "traced-cluster", limit = 1, maxWait = "10s")
        public CompletableFuture<String> limitedCluster(String caller) {
            return limited(caller);
        }

        /** One value per call; twenty calls make a batch, whose bulk call is {@link #doubledAll(List)}. */
        @Batch(name = "traced-single", bulkMethod = "doubledAll", targetBatchSize = 20, maxWaitingTime = "10s")
        public CompletableFuture<Integer> doubledOne(Integer value) {
            return null;
        }

        /** The bulk method of {@link #doubledOne(Integer)}: the merged call makes one span. */
        public CompletableFuture<List<Integer>> doubledAll(List<Integer> values) {
            return doubled(values);
        }

        /** @return the result of each limited call that started, by caller (a method: this bean is a proxy) */
        public Map<String, CompletableFuture<String>> limitedResults() {
            return limitedResults;
        }

        /** {@link #flaky()} as a {@code Mono}; {@link #failFirstAttempt()} fails its first attempt. */
        @Retry(name = "traced-retry-mono", attempts = 2, delay = "20ms", jitter = 0)
        public Mono<String> flakyMono() {
            return Mono.fromFuture(flaky(), false);
        }

        /** {@link #limited(String)} as a {@code Mono}. */
        @LimitJobs(name = "traced-limit-mono", limit = 1, maxWait = "10s")
        public Mono<String> limitedMono(String caller) {
            return Mono.fromFuture(limited(caller), false);
        }

        /** {@link #doubled(List)} as a {@code Mono}. */
        @Batch(name = "traced-batch-mono", targetBatchSize = 20, maxWaitingTime = "10s")
        public Mono<List<Integer>> doubledMono(List<Integer> values) {
            return Mono.fromFuture(doubled(values), false);
        }

        public void reset() {
            flakyCalls.set(0);
            limitedResults.clear();
        }
    }
}
