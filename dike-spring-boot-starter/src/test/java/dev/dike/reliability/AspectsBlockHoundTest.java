package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The annotations, through the starter's aspects, on {@code Mono} methods subscribed on Reactor's
 * non-blocking threads, with BlockHound installed: a {@code @LimitJobs(maxWait = ...)} call waits
 * and is granted, a {@code @Retry} waits out its delays, {@code @Batch} callers are merged, and no
 * thread of {@code Schedulers.parallel()} ever blocks. dike's executor is a parallel thread too.
 *
 * <p>Runs in the starter's own surefire execution {@code blockhound}, like dike-core's
 * {@code NonBlockingBlockHoundTest}.
 */
@Tag("stress")
class AspectsBlockHoundTest {

    private static final String JVM_FLAG = "-XX:+AllowRedefinitionToAddDeleteMethods";
    private static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();
    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void installBlockHoundAndStart() {
        boolean flagged = ManagementFactory.getRuntimeMXBean().getInputArguments().contains(JVM_FLAG);
        if (!flagged && Boolean.getBoolean("dike.blockhound.execution")) {
            throw new IllegalStateException("The surefire execution 'blockhound' must run the JVM with " + JVM_FLAG);
        }
        if (!flagged) {
            Assumptions.abort("runs in the starter's surefire execution 'blockhound', whose JVM has " + JVM_FLAG);
        }
        // As in dike-core's NonBlockingBlockHoundTest: removing a cancelled timer takes the JDK timer
        // queue's lock for a heap operation (Reactor allows the same queue's offer() and take()).
        BlockHound.install(builder -> builder
                .allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove")
                .blockingMethodCallback(method -> {
            BLOCKING_CALLS.add(method + " on " + Thread.currentThread().getName());
            throw new BlockingOperationError(method);
        }));
        context = new SpringApplicationBuilder(NonBlockingApplication.class).web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF).logStartupInfo(false).run();
    }

    @AfterAll
    static void close() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void controlCaseABlockingCallIsDetected() {
        assertThatThrownBy(() -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(10)))
                .hasCauseInstanceOf(BlockingOperationError.class);
        assertThat(BLOCKING_CALLS).isNotEmpty();
        BLOCKING_CALLS.clear();
        System.out.println("RELIABILITY blockhound starter: control case detected");
    }

    @Test
    void annotatedMonoMethodsNeverBlockANonBlockingThread() throws Exception {
        ReactiveService service = context.getBean(ReactiveService.class);
        DikeRegistry registry = context.getBean(DikeRegistry.class);
        BLOCKING_CALLS.clear();

        for (int round = 0; round < 50; round++) {
            // @LimitJobs(limit = 1, maxWait = 10s): the second subscription waits, then is granted.
            Sinks.One<String> release = Sinks.one();
            CompletableFuture<String> first = service.limited(release.asMono()).subscribeOn(Schedulers.parallel())
                    .toFuture();
            awaitTrue(() -> registry.findLimiter("bh-limit").orElseThrow().inFlight() == 1);
            CompletableFuture<String> second = service.limited(Mono.just("second"))
                    .subscribeOn(Schedulers.parallel()).toFuture();
            awaitTrue(() -> registry.findLimiter("bh-limit").orElseThrow().waiting() == 1);
            Schedulers.parallel().schedule(() -> release.tryEmitValue("first"));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        }

        List<CompletableFuture<Integer>> retried = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            AtomicInteger attempts = new AtomicInteger();
            retried.add(service.flaky(attempts).subscribeOn(Schedulers.parallel()).toFuture());
        }
        for (CompletableFuture<Integer> result : retried) {
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        }

        List<CompletableFuture<List<Integer>>> batched = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batched.add(service.doubled(List.of(i)).subscribeOn(Schedulers.parallel()).toFuture());
        }
        for (int i = 0; i < batched.size(); i++) {
            assertThat(batched.get(i).get(10, TimeUnit.SECONDS)).containsExactly(2 * i);
        }

        assertThat(BLOCKING_CALLS).as("blocking calls on non-blocking threads").isEmpty();
        System.out.println("RELIABILITY blockhound starter: @LimitJobs(maxWait) 50 waits granted, @Retry 50 calls "
                + "x 2 delays, @Batch 400 callers, blocking calls=0");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in 10 s").isLessThan(deadline);
            Thread.sleep(1); // the test thread is not a non-blocking thread
        }
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({AopAutoConfiguration.class, DikeAutoConfiguration.class})
    static class NonBlockingApplication {

        @Bean
        ReactiveService reactiveService() {
            return new ReactiveService();
        }

        /** dike hands its work (grants, retries after a delay, batches) to a non-blocking thread too. */
        @Bean(DikeAutoConfiguration.EXECUTOR_BEAN_NAME)
        Executor dikeExecutor() {
            return task -> Schedulers.parallel().schedule(task);
        }
    }

    /** Reactive methods with every annotation. */
    public static class ReactiveService {

        @LimitJobs(name = "bh-limit", limit = 1, maxWait = "10s")
        public Mono<String> limited(Mono<String> work) {
            return work;
        }

        @Retry(name = "bh-retry", attempts = 3, delay = "2ms", logExceptionInfo = false)
        public Mono<Integer> flaky(AtomicInteger attempts) {
            int attempt = attempts.incrementAndGet();
            return attempt < 3 ? Mono.error(new IllegalStateException("attempt " + attempt)) : Mono.just(attempt);
        }

        @Batch(name = "bh-batch", targetBatchSize = 8, maxWaitingTime = "2ms")
        public Mono<List<Integer>> doubled(List<Integer> values) {
            return Mono.just(values.stream().map(value -> 2 * value).toList());
        }
    }
}
