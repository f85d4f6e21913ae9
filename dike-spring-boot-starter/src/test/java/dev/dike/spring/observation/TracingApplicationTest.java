package dev.dike.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.observation.TracingTestApplication.Spans;
import dev.dike.spring.observation.TracingTestApplication.TracedService;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The proofs, in a Spring Boot application with Micrometer Tracing on OpenTelemetry: a trace
 * survives a retry delay, a handed-over permit (of a local limit, and of a cluster limit on a real
 * redis-server) and a batch (of list calls and of single-item calls). Each caller makes its own span
 * (an observation, as a web request would) and the methods behind the annotations make theirs.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class TracingApplicationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static ConfigurableApplicationContext context;
    private static Spans spans;
    private static TracedService service;
    private static ObservationRegistry registry;
    private static Tracer tracer;

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final ListAppender<ILoggingEvent> retryLog = new ListAppender<>();

    @BeforeAll
    static void start(RedisServer redis) {
        context = new SpringApplicationBuilder(TracingTestApplication.class).web(WebApplicationType.NONE)
                .properties("management.tracing.sampling.probability=1.0", "spring.application.name=tracing",
                        "spring.data.redis.url=" + redis.url(), "dike.limit.instances.traced-cluster.scope=cluster")
                .run();
        spans = context.getBean(Spans.class);
        service = context.getBean(TracedService.class);
        registry = context.getBean(ObservationRegistry.class);
        tracer = context.getBean(Tracer.class);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @BeforeEach
    void reset() {
        spans.exporter().reset();
        service.reset();
        retryLog.start();
        ((Logger) LoggerFactory.getLogger("dev.dike.retry")).addAppender(retryLog);
    }

    @AfterEach
    void cleanUp() {
        ((Logger) LoggerFactory.getLogger("dev.dike.retry")).detachAppender(retryLog);
        callers.shutdownNow();
        assertThat(registry.getCurrentObservation()).as("observation left open on the test thread").isNull();
    }

    @ParameterizedTest(name = "mono={0}")
    @ValueSource(booleans = {false, true})
    void bothAttemptsOfARetriedCallAreInTheCallersTraceAndSoIsTheWarnLine(boolean mono) {
        Caller caller = Caller.start("caller");
        CompletableFuture<String> result = caller.call(() -> mono ? service.flakyMono().toFuture() : service.flaky());
        // The first attempt fails on a thread of another pool, outside any trace.
        CompletableFuture.runAsync(service::failFirstAttempt, callers).join();
        assertThat(result.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("attempt 2");
        caller.stop();

        SpanData retry = awaitSpan(mono ? "retry traced-retry-mono" : "retry traced-retry");
        List<SpanData> attempts = awaitSpans("attempt", 2);
        assertThat(retry.getTraceId()).isEqualTo(caller.traceId);
        assertThat(retry.getParentSpanId()).as("the retry's parent").isEqualTo(caller.spanId);
        assertThat(attempts).as("both attempts, the second one after the delay on another thread")
                .allSatisfy(attempt -> {
                    assertThat(attempt.getTraceId()).isEqualTo(caller.traceId);
                    assertThat(attempt.getParentSpanId()).isEqualTo(retry.getSpanId());
                });
        assertThat(retry.getAttributes().get(AttributeKey.stringKey("dike.outcome"))).isEqualTo("success_with_retry");
        assertThat(retry.getEvents()).extracting(event -> event.getName()).containsExactly("dike.retry.scheduled");
        assertThat(retryLog.list).singleElement().satisfies(warn -> {
            assertThat(warn.getFormattedMessage()).startsWith("Caught exception");
            assertThat(warn.getMDCPropertyMap()).as("MDC of the WARN line, logged on the thread the first attempt "
                    + "failed on").containsEntry("traceId", caller.traceId);
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"future", "mono", "cluster"})
    void aCallStartedByAnotherCallsReleaseIsInItsOwnCallersTrace(String kind) {
        String name = Map.of("future", "traced-limit", "mono", "traced-limit-mono", "cluster", "traced-cluster")
                .get(kind);
        Caller holder = Caller.start("holder");
        CompletableFuture<String> held = holder.call(() -> limited(kind, "holder"));
        // A cluster call starts after its round trip to Redis, on the executor.
        await().atMost(TIMEOUT).until(() -> service.limitedResults().containsKey("holder"));
        Caller waiter = Caller.start("waiter");
        CompletableFuture<String> waited = waiter.call(() -> limited(kind, "waiter"));
        await().atMost(TIMEOUT).until(() -> waiting(kind, name) == 1);
        assertThat(service.limitedResults()).containsOnlyKeys("holder");

        // The holder's result arrives in the holder's trace: its release hands the permit over.
        holder.run(() -> service.limitedResults().get("holder").complete("held"));
        await().atMost(TIMEOUT).until(() -> service.limitedResults().containsKey("waiter"));
        service.limitedResults().get("waiter").complete("waited");
        assertThat(held.join()).isEqualTo("held");
        assertThat(waited.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("waited");
        holder.stop();
        waiter.stop();

        SpanData operation = awaitSpan("limited waiter");
        assertThat(operation.getTraceId()).isEqualTo(waiter.traceId);
        assertThat(operation.getParentSpanId()).as("parent of the handed-over call").isEqualTo(waiter.spanId);
        assertThat(awaitSpan("limited holder").getParentSpanId()).as("parent of the call that did not wait")
                .isEqualTo(holder.spanId);
        SpanData wait = awaitSpan("wait for permit " + name);
        assertThat(wait.getParentSpanId()).isEqualTo(waiter.spanId);
        assertThat(wait.getAttributes().get(AttributeKey.stringKey("dike.outcome"))).isEqualTo("permitted");
        assertThat(spans.exporter().getFinishedSpanItems()).filteredOn(span -> span.getName().startsWith("wait for"))
                .as("only the call that waited has a wait span").hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"future", "mono", "single"})
    void twentyCallersOfOneBatchAreLinkedFromItsSpanAndEachGetsItsResultInItsOwnTrace(String kind) {
        int callerCount = 20;
        String name = Map.of("future", "traced-batch", "mono", "traced-batch-mono", "single", "traced-single")
                .get(kind);
        List<Caller> all = new ArrayList<>();
        List<CompletableFuture<?>> results = new ArrayList<>();
        Map<String, String> traceAtCompletion = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        for (int i = 0; i < callerCount; i++) {
            int value = i;
            submitted.add(CompletableFuture.runAsync(() -> {
                Caller caller = Caller.start("caller-" + value);
                // The caller's continuation runs where the batch completes it: its span ends there. It is
                // attached in the caller's scope, as a caller's code would be: the batch that this call fills
                // may run and complete it before the call returns, and the continuation then runs at once.
                CompletableFuture<?> observed = caller.call(() -> {
                    CompletableFuture<?> result = switch (kind) {
                        case "mono" -> service.doubledMono(List.of(value)).toFuture();
                        case "single" -> service.doubledOne(value);
                        default -> service.doubled(List.of(value));
                    };
                    return result.whenComplete((rows, error) -> {
                        traceAtCompletion.put(caller.name, tracer.currentSpan().context().traceId());
                        caller.stop();
                    });
                });
                synchronized (all) {
                    all.add(caller);
                    results.add(observed);
                }
            }, callers));
        }
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();

        SpanData batch = awaitSpan("batch " + name);
        assertThat(batch.getParentSpanId()).as("a batch has no parent").isEqualTo("0000000000000000");
        assertThat(batch.getAttributes().get(AttributeKey.stringKey("dike.name"))).isEqualTo(name);
        assertThat(batch.getAttributes().get(AttributeKey.stringKey("dike.batch.size"))).isEqualTo("20");
        assertThat(batch.getAttributes().get(AttributeKey.stringKey("dike.batch.flush.reason"))).isEqualTo("size");
        assertThat(batch.getLinks()).extracting(LinkData::getSpanContext)
                .extracting(link -> link.getTraceId() + "/" + link.getSpanId())
                .containsExactlyInAnyOrderElementsOf(all.stream().map(caller -> caller.traceId + "/" + caller.spanId)
                        .toList());
        SpanData bulk = awaitSpan("bulk");
        assertThat(bulk.getParentSpanId()).as("the bulk call's parent").isEqualTo(batch.getSpanId());
        for (Caller caller : all) {
            assertThat(traceAtCompletion).containsEntry(caller.name, caller.traceId);
            SpanData span = awaitSpan(caller.name);
            assertThat(span.getEndEpochNanos()).as("end of %s's span", caller.name)
                    .isGreaterThanOrEqualTo(bulk.getEndEpochNanos());
        }
    }

    private static CompletableFuture<String> limited(String kind, String caller) {
        return switch (kind) {
            case "mono" -> service.limitedMono(caller).toFuture();
            case "cluster" -> service.limitedCluster(caller);
            default -> service.limited(caller);
        };
    }

    /** The calls waiting for a permit of limiter {@code name}, on this instance. */
    private static int waiting(String kind, String name) {
        if ("cluster".equals(kind)) {
            return context.getBean(ClusterLimitFactory.class).states().get(name).waiting();
        }
        return context.getBean(DikeRegistry.class).findLimiter(name).orElseThrow().waiting();
    }

    private static SpanData awaitSpan(String name) {
        return awaitSpans(name, 1).get(0);
    }

    private static List<SpanData> awaitSpans(String name, int count) {
        List<SpanData> found = new CopyOnWriteArrayList<>();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            found.clear();
            spans.exporter().getFinishedSpanItems().stream().filter(span -> span.getName().equals(name))
                    .forEach(found::add);
            assertThat(found).as("finished spans named %s", name).hasSize(count);
        });
        return found;
    }

    /** A caller in a trace of its own: its observation (a span) is current while it calls. */
    private static final class Caller {

        final String name;
        final Observation observation;
        final String traceId;
        final String spanId;

        private Caller(String name, Observation observation, String traceId, String spanId) {
            this.name = name;
            this.observation = observation;
            this.traceId = traceId;
            this.spanId = spanId;
        }

        static Caller start(String name) {
            Observation observation = Observation.createNotStarted(name, registry).parentObservation(null).start();
            try (Observation.Scope scope = observation.openScope()) {
                var span = tracer.currentSpan().context();
                return new Caller(name, observation, span.traceId(), span.spanId());
            }
        }

        <T> T call(Supplier<T> action) {
            try (Observation.Scope scope = observation.openScope()) {
                return action.get();
            }
        }

        void run(Runnable action) {
            try (Observation.Scope scope = observation.openScope()) {
                action.run();
            }
        }

        void stop() {
            observation.stop();
        }
    }
}
