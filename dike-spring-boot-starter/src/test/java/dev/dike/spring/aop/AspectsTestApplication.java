package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One Spring Boot application holding every fixture bean of the aspect tests, so that all of them
 * share one cached context. Each bean counts its calls; tests reset the counters.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({AopAutoConfiguration.class, DikeAutoConfiguration.class})
class AspectsTestApplication {

    @Bean
    RetryClient retryClient() {
        return new RetryClient();
    }

    @Bean
    LimitClient limitClient() {
        return new LimitClient();
    }

    @Bean
    BatchClient batchClient() {
        return new BatchClient();
    }

    @Bean
    NestedClient nestedClient() {
        return new NestedClient();
    }

    @Bean
    ClassLevelClient classLevelClient() {
        return new ClassLevelClient();
    }

    @Bean
    SharedLimitA sharedLimitA() {
        return new SharedLimitA();
    }

    @Bean
    SharedLimitB sharedLimitB() {
        return new SharedLimitB();
    }

    /** Fails its first {@link #failures} calls of each method, then succeeds. */
    static class RetryClient {

        private final AtomicInteger calls = new AtomicInteger();
        private volatile int failures;

        // Fields of a proxied bean are only reachable through methods the proxy delegates.
        public void reset(int failuresBeforeSuccess) {
            calls.set(0);
            failures = failuresBeforeSuccess;
        }

        public int calls() {
            return calls.get();
        }

        private boolean fails() {
            return calls.incrementAndGet() <= failures;
        }

        private RuntimeException failure() {
            return new IllegalStateException("failure " + calls.get());
        }

        @Retry(attempts = 2, delay = "10ms", exceptionTypes = RuntimeException.class)
        public CompletableFuture<String> webRequest() {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new RuntimeException("Request failed!"));
        }

        @Retry(name = "retry-future", attempts = 3, delay = "1ms")
        public CompletableFuture<String> future() {
            return fails() ? CompletableFuture.failedFuture(failure()) : CompletableFuture.completedFuture("future " + calls.get());
        }

        @Retry(name = "retry-future-throwing", attempts = 3, delay = "1ms")
        public CompletableFuture<String> futureThrowing() {
            if (fails()) {
                throw failure();
            }
            return CompletableFuture.completedFuture("thrown " + calls.get());
        }

        @Retry(name = "retry-stage", attempts = 3, delay = "1ms")
        public CompletionStage<String> stage() {
            return fails() ? CompletableFuture.failedStage(failure()) : CompletableFuture.completedStage("stage " + calls.get());
        }

        // Built eagerly: each attempt must call the method again to get a fresh Mono.
        @Retry(name = "retry-mono", attempts = 3, delay = "1ms")
        public Mono<String> mono() {
            return fails() ? Mono.error(failure()) : Mono.just("mono " + calls.get());
        }

        @Retry(name = "retry-flux", attempts = 3, delay = "1ms")
        public Flux<String> flux() {
            return fails() ? Flux.error(failure()) : Flux.just("flux", String.valueOf(calls.get()));
        }

        @Retry(name = "retry-plain", attempts = 3, delay = "1ms")
        public String plain() {
            if (fails()) {
                throw failure();
            }
            return "plain " + calls.get();
        }

        @Retry(name = "retry-void", attempts = 3, delay = "1ms")
        public void run() {
            if (fails()) {
                throw failure();
            }
        }

        @Retry(name = "retry-checked", attempts = 2, delay = "1ms")
        public String checked() throws java.io.IOException {
            calls.incrementAndGet();
            throw new java.io.IOException("checked " + calls.get());
        }

        // Not public: CGLIB still overrides it, so the advice applies (same class loader).
        @Retry(name = "retry-package-private", attempts = 3, delay = "1ms")
        String packagePrivate() {
            if (fails()) {
                throw failure();
            }
            return "package-private " + calls.get();
        }

        // Self-invocation is not advised: this calls plain() on the object itself, not the proxy.
        public String selfInvocation() {
            return plain();
        }
    }

    /** Holds its permits until the test completes the gate it passed in. */
    static class LimitClient {

        private final AtomicInteger calls = new AtomicInteger();

        public void reset() {
            calls.set(0);
        }

        public int calls() {
            return calls.get();
        }

        @LimitJobs(name = "seed-limit", limit = 2)
        public CompletableFuture<String> slow(CompletableFuture<String> gate) {
            calls.incrementAndGet();
            return gate;
        }

        @LimitJobs(name = "limit-stage", limit = 1)
        public CompletionStage<String> stage(CompletableFuture<String> gate) {
            calls.incrementAndGet();
            return gate;
        }

        @LimitJobs(name = "limit-mono", limit = 1)
        public Mono<String> mono(Mono<String> gate) {
            calls.incrementAndGet();
            return gate;
        }

        @LimitJobs(name = "limit-flux", limit = 1)
        public Flux<String> flux(Flux<String> gate) {
            calls.incrementAndGet();
            return gate;
        }

        @LimitJobs(name = "limit-plain", limit = 1)
        public String plain(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
            calls.incrementAndGet();
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            return "plain";
        }

        @LimitJobs(name = "limit-void", limit = 1)
        public void run(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
            calls.incrementAndGet();
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
        }
    }

    /** Records the arguments of every call that reaches the method. */
    static class BatchClient {

        private final List<List<Object>> invocations = Collections.synchronizedList(new ArrayList<>());

        public void reset() {
            invocations.clear();
        }

        /** @return the arguments of every call that reached the method, in order */
        public List<List<Object>> invocations() {
            synchronized (invocations) {
                return List.copyOf(invocations);
            }
        }

        @Batch(name = "seed-batch", targetBatchSize = 3, maxWaitingTime = "10s")
        public CompletableFuture<List<Integer>> addArgs(List<Integer> arg1, List<Integer> arg2) {
            invocations.add(List.of(arg1, arg2));
            return CompletableFuture.completedFuture(
                    IntStream.range(0, arg1.size()).mapToObj(i -> arg1.get(i) + arg2.get(i)).toList());
        }

        @Batch(name = "batch-sync", targetBatchSize = 3, maxWaitingTime = "10s")
        public List<Integer> doubled(List<Integer> values) {
            invocations.add(List.of(values));
            return values.stream().map(value -> value * 2).toList();
        }

        @Batch(name = "batch-array", targetBatchSize = 2, maxWaitingTime = "10s")
        public String[] labels(int[] values, String prefix) {
            invocations.add(List.of(values.clone(), prefix));
            return IntStream.of(values).mapToObj(value -> prefix + value).toArray(String[]::new);
        }

        @Batch(name = "batch-stage", targetBatchSize = 3, maxWaitingTime = "10s")
        public CompletionStage<long[]> squares(long[] values) {
            invocations.add(List.of(values.clone()));
            return CompletableFuture.supplyAsync(() -> java.util.Arrays.stream(values).map(value -> value * value).toArray());
        }

        @Batch(name = "batch-mono", targetBatchSize = 3, maxWaitingTime = "10s")
        public Mono<List<String>> upper(List<String> values) {
            invocations.add(List.of(values));
            return Mono.fromSupplier(() -> values.stream().map(String::toUpperCase).toList());
        }

        @Batch(name = "batch-timed", targetBatchSize = 100, maxWaitingTime = "20ms")
        public CompletableFuture<List<Integer>> timed(List<Integer> values) {
            invocations.add(List.of(values));
            return CompletableFuture.completedFuture(values);
        }

        @Batch(name = "batch-failing", targetBatchSize = 2, maxWaitingTime = "10s")
        public List<Integer> failing(List<Integer> values) {
            invocations.add(List.of(values));
            throw new IllegalArgumentException("bad rows " + values);
        }

        // Two methods share one batch queue and configuration, yet never share a batch.
        @Batch(name = "batch-shared", targetBatchSize = 2, maxWaitingTime = "50ms")
        public CompletableFuture<List<String>> sharedA(List<String> values) {
            invocations.add(List.of("A", values));
            return CompletableFuture.completedFuture(values.stream().map(value -> "A" + value).toList());
        }

        @Batch(name = "batch-shared", targetBatchSize = 2, maxWaitingTime = "50ms")
        public CompletableFuture<List<String>> sharedB(List<String> values) {
            invocations.add(List.of("B", values));
            return CompletableFuture.completedFuture(values.stream().map(value -> "B" + value).toList());
        }
    }

    /** Retry outside LimitJobs (the default order): every attempt takes a permit. */
    static class NestedClient {

        private final AtomicInteger calls = new AtomicInteger();

        public void reset() {
            calls.set(0);
        }

        public int calls() {
            return calls.get();
        }

        @Retry(name = "nested-retry", attempts = 3, delay = "1ms", exceptionTypes = TooManyCallsException.class)
        @LimitJobs(name = "nested-limit", limit = 1)
        public CompletableFuture<String> call(CompletableFuture<String> gate) {
            calls.incrementAndGet();
            return gate;
        }
    }

    /** Every public method retries; the method-level annotation wins. */
    @Retry(attempts = 2, delay = "1ms")
    static class ClassLevelClient {

        private final AtomicInteger calls = new AtomicInteger();

        public void reset() {
            calls.set(0);
        }

        public int calls() {
            return calls.get();
        }

        public CompletableFuture<String> classLevel() {
            return calls.incrementAndGet() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("first"))
                    : CompletableFuture.completedFuture("ok " + calls.get());
        }

        @Retry(name = "class-level-override", attempts = 1)
        public CompletableFuture<String> methodLevel() {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("once"));
        }
    }

    static class SharedLimitA {
        @LimitJobs(name = "shared-permits", limit = 1)
        public CompletableFuture<String> call(CompletableFuture<String> gate) {
            return gate;
        }
    }

    static class SharedLimitB {
        @LimitJobs(name = "shared-permits", limit = 1)
        public Mono<String> call() {
            return Mono.just("b");
        }
    }
}
