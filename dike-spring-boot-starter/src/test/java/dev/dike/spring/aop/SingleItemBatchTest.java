package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.batch.Batcher;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.spring.metrics.DikeMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Single-item {@code @Batch(bulkMethod = ...)} through a real bean: every combination of the single
 * method's return type with the bulk method's Map or List result, plain or in a future, stage or
 * Mono; duplicate keys; missing keys under both policies; failures; cancellation; batch keys.
 */
@SpringBootTest(classes = SingleItemBatchTest.App.class, properties = {
        "dike.batch.defaults.target-batch-size=2", "dike.batch.defaults.max-waiting-time=10s",
        "dike.batch.instances.strict.missing-key=fail", "dike.batch.instances.idle.max-waiting-time=0",
        "dike.batch.instances.idle.max-concurrent-batches=1", "dike.batch.instances.idle-blocking.max-waiting-time=0",
        "dike.batch.instances.idle-blocking.max-concurrent-batches=1", "dike.batch.instances.idle-plain.max-waiting-time=0",
        "dike.batch.instances.idle-plain.max-concurrent-batches=1"})
class SingleItemBatchTest {

    private static final long SECONDS = 5;

    @Autowired
    private Catalog catalog;

    @Autowired
    private DikeRegistry registry;

    @Autowired
    private MeterRegistry meters;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void reset() {
        catalog.received().clear();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    static Stream<String> singleMethods() {
        return Stream.of(Catalog.class.getMethods()).map(Method::getName).filter(name -> name.startsWith("single"))
                .sorted();
    }

    /** Calls a, a, then b: the batch (target 2 distinct keys) sends a and b once each. */
    @ParameterizedTest
    @MethodSource("singleMethods")
    void everyReturnTypeCombinationSendsEachKeyOnceAndGivesEachCallerItsValue(String methodName) throws Exception {
        Method method = Catalog.class.getMethod(methodName, String.class);
        Batcher<?, ?> batcher = registry.findBatcher("Catalog." + methodName).orElseThrow();
        List<Future<Object>> calls = new ArrayList<>();
        for (String sku : List.of("a", "a", "b")) {
            calls.add(threads.submit(() -> resolve(method.invoke(catalog, sku))));
            if (calls.size() == 2) { // both callers of a wait before b completes the batch
                await().atMost(Duration.ofSeconds(SECONDS)).until(() -> batcher.queuedCalls() == 2);
            }
        }

        assertThat(calls.get(0).get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-a");
        assertThat(calls.get(1).get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-a");
        assertThat(calls.get(2).get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-b");
        assertThat(catalog.received()).hasSize(1);
        assertThat(catalog.received().get(0)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aKeyMissingFromTheMapGivesAnEmptyMonoOrNull() throws Exception {
        Future<Object> plain = threads.submit(() -> catalog.singlePlainMap("missing"));
        Future<Object> other = threads.submit(() -> catalog.singlePlainMap("x"));
        assertThat(plain.get(SECONDS, TimeUnit.SECONDS)).isNull();
        assertThat(other.get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-x");

        CompletableFuture<String> future = catalog.singleFutureMapMono("missing");
        catalog.singleFutureMapMono("y");
        assertThat(future.get(SECONDS, TimeUnit.SECONDS)).isNull();

        StepVerifier.create(Mono.zip(catalog.singleMonoMap("missing").hasElement(), catalog.singleMonoMap("z")))
                .assertNext(both -> {
                    assertThat(both.getT1()).as("missing key: empty").isFalse();
                    assertThat(both.getT2()).isEqualTo("price-z");
                }).expectComplete().verify(Duration.ofSeconds(SECONDS));
    }

    @Test
    void aKeyMissingFromTheMapFailsOnlyItsCallersWhenTheInstanceSaysFail() {
        CompletableFuture<String> missing = catalog.strict("missing");
        CompletableFuture<String> found = catalog.strict("x");

        assertThat(found.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-x");
        assertThat(missing.handle((value, error) -> Invocations.unwrap(error)).join())
                .isInstanceOf(NoSuchElementException.class)
                .hasMessage("Bulk method Catalog.map(Set) returned no value for key 'missing' asked by "
                        + "Catalog.strict(String) (batch instance 'strict' has missing-key: fail)");
    }

    @Test
    void anExceptionOfTheBulkMethodFailsEveryCallerOfTheBatch() {
        CompletableFuture<String> first = catalog.failing("a");
        CompletableFuture<String> second = catalog.failing("a");
        CompletableFuture<String> third = catalog.failing("b");

        for (CompletableFuture<String> call : List.of(first, second, third)) {
            assertThat(call.handle((value, error) -> Invocations.unwrap(error)).orTimeout(SECONDS, TimeUnit.SECONDS).join())
                    .isInstanceOf(IllegalStateException.class).hasMessage("inventory down for [a, b]");
        }
    }

    @Test
    void aListOfTheWrongSizeFailsEveryCallerNamingBothSizes() {
        CompletableFuture<String> first = catalog.shortList("a");
        CompletableFuture<String> second = catalog.shortList("b");

        for (CompletableFuture<String> call : List.of(first, second)) {
            assertThat(call.handle((value, error) -> Invocations.unwrap(error)).orTimeout(SECONDS, TimeUnit.SECONDS).join())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Batch operation of Catalog.shortList returned 1 results for 2 rows");
        }
    }

    @Test
    void aCallerCancelledBeforeItsBatchIsNotSentAndLeavesTheOthersOfItsKey() {
        CompletableFuture<String> cancelled = catalog.cancellable("gone");
        CompletableFuture<String> sharedCancelled = catalog.cancellable("a");
        CompletableFuture<String> shared = catalog.cancellable("a");
        cancelled.cancel(false);
        sharedCancelled.cancel(false);
        CompletableFuture<String> other = catalog.cancellable("b");
        assertThat(catalog.received()).as("a and b: two of a target of three").isEmpty();
        CompletableFuture<String> last = catalog.cancellable("c");

        assertThat(shared.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-a");
        assertThat(other.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-b");
        assertThat(last.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-c");
        assertThat(sharedCancelled).isCancelled();
        assertThat(catalog.received()).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void aMonoCancelledBeforeItsBatchLeavesIt() {
        var subscription = catalog.singleMonoList("gone").subscribe();
        subscription.dispose();
        StepVerifier.create(Mono.zip(catalog.singleMonoList("a"), catalog.singleMonoList("b")))
                .expectNextMatches(both -> both.getT1().equals("price-a") && both.getT2().equals("price-b"))
                .expectComplete().verify(Duration.ofSeconds(SECONDS));
        assertThat(catalog.received()).containsExactly(List.of("a", "b"));
    }

    @Test
    void furtherParametersAreBatchKeysPassedToTheBulkMethod() {
        CompletableFuture<String> euro = catalog.converted("a", "EUR");
        CompletableFuture<String> dollar = catalog.converted("a", "USD");
        CompletableFuture<String> euroToo = catalog.converted("b", "EUR");
        CompletableFuture<String> dollarToo = catalog.converted("c", "USD");

        assertThat(euro.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-a EUR");
        assertThat(euroToo.join()).isEqualTo("price-b EUR");
        assertThat(dollar.orTimeout(SECONDS, TimeUnit.SECONDS).join()).isEqualTo("price-a USD");
        assertThat(dollarToo.join()).isEqualTo("price-c USD");
        assertThat(catalog.received()).containsExactlyInAnyOrder(List.of("a", "b", "EUR"), List.of("a", "c", "USD"));
    }

    @Test
    void theBatchSizeCountsRowsSentAndTheDeduplicatedCounterTheRowsSaved() {
        CompletableFuture<String> first = catalog.counted("a");
        catalog.counted("a");
        catalog.counted("a");
        CompletableFuture<String> last = catalog.counted("b");
        CompletableFuture.allOf(first, last).orTimeout(SECONDS, TimeUnit.SECONDS).join();

        await().untilAsserted(() -> assertThat(meters.get("dike.batch.size").tag("name", "counted").summary()
                .totalAmount()).isEqualTo(2));
        assertThat(meters.get("dike.batch.deduplicated").tag("name", "counted").counter().count()).isEqualTo(2);
        Batcher<?, ?> batcher = registry.batchers().get("counted");
        assertThat(batcher.queuedRows()).isZero();
    }

    /**
     * A lone call of an idle zero-wait batch runs the bulk method on the caller's thread, without a
     * hand-off to the executor, when that cannot hurt the caller: a future caller with a bulk method
     * that returns a future, or a plain caller (which waits anyway); never a future caller with a plain
     * bulk method, which may block.
     */
    @Test
    void aLoneCallRunsTheBulkMethodOnTheCallersThreadOnlyWhereItCannotBlockAnAsynchronousCaller() throws Exception {
        Thread caller = Thread.currentThread();

        assertThat(catalog.idleAsync("a").get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-a");
        assertThat(catalog.idleBlocking("b").get(SECONDS, TimeUnit.SECONDS)).isEqualTo("price-b");
        assertThat(catalog.idlePlain("c")).isEqualTo("price-c");

        assertThat(catalog.bulkThreads()).hasSize(3);
        assertThat(catalog.bulkThreads().get(0)).as("future bulk method behind a future").isSameAs(caller);
        assertThat(catalog.bulkThreads().get(1).getName()).as("plain bulk method behind a future")
                .startsWith("dike-batch-");
        assertThat(catalog.bulkThreads().get(2)).as("plain caller").isSameAs(caller);
    }

    static Object resolve(Object result) throws Exception {
        if (result instanceof Mono<?> mono) {
            return mono.block(Duration.ofSeconds(SECONDS));
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
        }
        return result;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({AopAutoConfiguration.class, DikeAutoConfiguration.class,
            DikeMetricsAutoConfiguration.class})
    static class App {

        @Bean
        Catalog catalog() {
            return new Catalog();
        }

        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    /** Single-item methods (bodies never run) and the bulk methods they name. */
    public static class Catalog {

        private final List<List<Object>> received = new CopyOnWriteArrayList<>();
        private final List<Thread> bulkThreads = new CopyOnWriteArrayList<>();

        /** @return the thread of each call of the idle* bulk methods */
        public List<Thread> bulkThreads() {
            return bulkThreads;
        }

        public CompletableFuture<Map<String, String>> idleStage(Set<String> skus) {
            bulkThreads.add(Thread.currentThread());
            return CompletableFuture.completedFuture(values(skus));
        }

        public Map<String, String> idleMap(Set<String> skus) {
            bulkThreads.add(Thread.currentThread());
            return values(skus);
        }

        @Batch(name = "idle", bulkMethod = "idleStage")
        public CompletableFuture<String> idleAsync(String sku) {
            return null;
        }

        @Batch(name = "idle-blocking", bulkMethod = "idleMap")
        public CompletableFuture<String> idleBlocking(String sku) {
            return null;
        }

        @Batch(name = "idle-plain", bulkMethod = "idleMap")
        public String idlePlain(String sku) {
            return null;
        }

        /** @return the keys each bulk call received (a method: the test holds the proxy, whose fields are empty) */
        public List<List<Object>> received() {
            return received;
        }

        void record(String bulk, Collection<?> skus) {
            received.add(List.copyOf(skus));
        }

        static Map<String, String> values(Collection<String> skus) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String sku : skus) {
                if (!sku.equals("missing")) {
                    values.put(sku, "price-" + sku);
                }
            }
            return values;
        }

        static List<String> inOrder(Collection<String> skus) {
            return skus.stream().map(sku -> "price-" + sku).toList();
        }

        public Map<String, String> map(Set<String> skus) {
            record("map", skus);
            return values(skus);
        }

        public CompletableFuture<Map<String, String>> mapFuture(Collection<String> skus) {
            record("mapFuture", skus);
            return CompletableFuture.supplyAsync(() -> values(skus));
        }

        public CompletionStage<Map<String, String>> mapStage(List<String> skus) {
            record("mapStage", skus);
            return CompletableFuture.completedStage(values(skus));
        }

        public Mono<Map<String, String>> mapMono(Set<String> skus) {
            record("mapMono", skus);
            return Mono.fromSupplier(() -> values(skus));
        }

        public List<String> list(List<String> skus) {
            record("list", skus);
            return inOrder(skus);
        }

        public CompletableFuture<List<String>> listFuture(Set<String> skus) {
            record("listFuture", skus);
            return CompletableFuture.supplyAsync(() -> inOrder(skus));
        }

        public CompletionStage<List<String>> listStage(Collection<String> skus) {
            record("listStage", skus);
            return CompletableFuture.completedStage(inOrder(skus));
        }

        public Mono<List<String>> listMono(List<String> skus) {
            record("listMono", skus);
            return Mono.fromSupplier(() -> inOrder(skus));
        }

        @Batch(bulkMethod = "map")
        public String singlePlainMap(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapFuture")
        public String singlePlainMapFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapStage")
        public String singlePlainMapStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapMono")
        public String singlePlainMapMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "list")
        public String singlePlainList(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listFuture")
        public String singlePlainListFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listStage")
        public String singlePlainListStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listMono")
        public String singlePlainListMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "map")
        public CompletableFuture<String> singleFutureMap(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapFuture")
        public CompletableFuture<String> singleFutureMapFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapStage")
        public CompletableFuture<String> singleFutureMapStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapMono")
        public CompletableFuture<String> singleFutureMapMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "list")
        public CompletableFuture<String> singleFutureList(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listFuture")
        public CompletableFuture<String> singleFutureListFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listStage")
        public CompletableFuture<String> singleFutureListStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listMono")
        public CompletableFuture<String> singleFutureListMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "map")
        public CompletionStage<String> singleStageMap(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapFuture")
        public CompletionStage<String> singleStageMapFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapStage")
        public CompletionStage<String> singleStageMapStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapMono")
        public CompletionStage<String> singleStageMapMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "list")
        public CompletionStage<String> singleStageList(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listFuture")
        public CompletionStage<String> singleStageListFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listStage")
        public CompletionStage<String> singleStageListStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listMono")
        public CompletionStage<String> singleStageListMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "map")
        public Mono<String> singleMonoMap(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapFuture")
        public Mono<String> singleMonoMapFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapStage")
        public Mono<String> singleMonoMapStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "mapMono")
        public Mono<String> singleMonoMapMono(String sku) {
            return null;
        }

        @Batch(bulkMethod = "list")
        public Mono<String> singleMonoList(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listFuture")
        public Mono<String> singleMonoListFuture(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listStage")
        public Mono<String> singleMonoListStage(String sku) {
            return null;
        }

        @Batch(bulkMethod = "listMono")
        public Mono<String> singleMonoListMono(String sku) {
            return null;
        }

        @Batch(name = "strict", bulkMethod = "map")
        public CompletableFuture<String> strict(String sku) {
            return null;
        }

        @Batch(bulkMethod = "broken")
        public CompletableFuture<String> failing(String sku) {
            return null;
        }

        public Map<String, String> broken(List<String> skus) {
            throw new IllegalStateException("inventory down for " + skus);
        }

        @Batch(bulkMethod = "oneTooFew")
        public CompletableFuture<String> shortList(String sku) {
            return null;
        }

        public List<String> oneTooFew(List<String> skus) {
            return List.of("only one");
        }

        @Batch(bulkMethod = "convert")
        public CompletableFuture<String> converted(String sku, String currency) {
            return null;
        }

        public Map<String, String> convert(Set<String> skus, String currency) {
            List<Object> seen = new ArrayList<>(skus);
            seen.add(currency);
            received.add(seen);
            Map<String, String> values = new LinkedHashMap<>();
            skus.forEach(sku -> values.put(sku, "price-" + sku + " " + currency));
            return values;
        }

        @Batch(name = "cancellable", bulkMethod = "list", targetBatchSize = 3)
        public CompletableFuture<String> cancellable(String sku) {
            return null;
        }

        @Batch(name = "counted", bulkMethod = "map")
        public CompletableFuture<String> counted(String sku) {
            return null;
        }
    }
}
