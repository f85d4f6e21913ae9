package dev.dike.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryAfter;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeInstanceContexts;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.RetryBudgetSpec;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.time.DelayScheduler;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The observation and context-propagation auto-configurations, with and without an
 * {@link ObservationRegistry}, context-propagation and Micrometer Tracing, checked on a
 * {@link TestObservationRegistry}: each observation's parent across every thread hop, its keys, and
 * that every one of them is stopped. The hops run on the virtual clock and a queueing executor, on
 * this thread once the caller's scope is closed, so a hook that lost the caller's context shows it.
 */
class DikeObservationAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DikeAutoConfiguration.class,
                    DikeObservationAutoConfiguration.class, DikeContextPropagationAutoConfiguration.class))
            .withUserConfiguration(Hops.class);

    @Test
    void observesWithARegistry() {
        runner.withUserConfiguration(WithRegistry.class).run(context -> {
            assertThat(context).hasSingleBean(DikeInstanceContexts.class)
                    .doesNotHaveBean(BatchTracingObservationHandler.class);
            assertEveryObservationAcrossTheHops(context);
        });
    }

    @Test
    void observesWithoutContextPropagation() {
        runner.withUserConfiguration(WithRegistry.class)
                .withClassLoader(new FilteredClassLoader("io.micrometer.context"))
                .run(context -> {
                    assertThat(context).hasSingleBean(DikeInstanceContexts.class);
                    assertEveryObservationAcrossTheHops(context);
                });
    }

    @Test
    void withoutTracingThereAreNoLinksButEverythingElse() {
        runner.withUserConfiguration(WithRegistry.class)
                .withClassLoader(new FilteredClassLoader("io.micrometer.tracing"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TraceContexts.class);
                    assertEveryObservationAcrossTheHops(context);
                });
    }

    @Test
    void aRetryTheBudgetRefusedOrThatARetryAfterStoppedSaysSoInItsOutcome() {
        runner.withUserConfiguration(WithRegistry.class).run(context -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            DikeRegistry dike = context.getBean(DikeRegistry.class);
            RetryConfig threeAtOnce = RetryConfig.builder().attempts(3).delay(Duration.ZERO).build();
            // One retry per window: the first call's second retry is refused.
            Retrier budgeted = dike.retrier("budgeted", threeAtOnce, new RetryBudgetSpec(0, 0.1, Duration.ofSeconds(10)));
            Retrier pushedBack = dike.retrier("pushed-back", RetryConfig.builder().attempts(3).delay(Duration.ZERO)
                    .maxRetryAfter(Duration.ofSeconds(1)).build());
            Observation caller = Observation.start("caller", registry);

            CompletableFuture<Object> refused = caller.scoped(() -> budgeted.executeAsync(
                    () -> CompletableFuture.failedFuture(new IllegalStateException("down"))));
            CompletableFuture<Object> stopped = caller.scoped(() -> pushedBack.executeAsync(
                    () -> CompletableFuture.failedFuture(new Busy(Duration.ofSeconds(5)))));
            caller.stop();

            assertThat(refused).isCompletedExceptionally();
            assertThat(stopped).isCompletedExceptionally();
            assertThat(registry).hasAnObservation(retry -> retry.hasNameEqualTo("dike.retry")
                            .hasParentObservationEqualTo(caller)
                            .hasLowCardinalityKeyValue("dike.name", "budgeted")
                            .hasLowCardinalityKeyValue("dike.outcome", "budget_exhausted")
                            .hasHighCardinalityKeyValue("dike.retry.attempts", "2"))
                    .hasAnObservation(retry -> retry.hasNameEqualTo("dike.retry")
                            .hasLowCardinalityKeyValue("dike.name", "pushed-back")
                            .hasLowCardinalityKeyValue("dike.outcome", "retry_after_too_long")
                            .hasHighCardinalityKeyValue("dike.retry.attempts", "1"));
            assertThat(context.getBean(Lifecycles.class).unstopped()).isEmpty();
        });
    }

    @Test
    void aRunningObservationIsTaggedUnknownUntilItEnds() {
        assertThat(new DefaultRetryObservationConvention().getLowCardinalityKeyValues(new RetryObservationContext("r")))
                .contains(KeyValue.of("dike.outcome", "unknown"));
        assertThat(new DefaultLimitObservationConvention().getLowCardinalityKeyValues(new LimitObservationContext("l")))
                .contains(KeyValue.of("dike.outcome", "unknown"));
        assertThat(new DefaultBatchObservationConvention().getLowCardinalityKeyValues(
                new BatchObservationContext("b", FlushReason.SIZE, 1, List.of())))
                .contains(KeyValue.of("dike.outcome", "unknown"));
        RetryObservationContext cancelled = new RetryObservationContext("r");
        cancelled.ended();
        assertThat(new DefaultRetryObservationConvention().getLowCardinalityKeyValues(cancelled))
                .contains(KeyValue.of("dike.outcome", "cancelled"));
    }

    @Test
    void switchedOffObservationsStillCarryTheCallersContext() {
        runner.withUserConfiguration(WithRegistry.class).withPropertyValues("dike.observations.enabled=false")
                .run(context -> {
                    TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
                    Observation caller = Observation.start("caller", registry);
                    CompletableFuture<Void> call = retryOnceAfterADelay(context, registry, caller);
                    caller.stop();
                    assertThat(call).isCompleted();
                    assertThat(registry).doesNotHaveAnyRemainingCurrentObservation()
                            .hasNumberOfObservationsWithNameEqualTo("dike.retry", 0)
                            .hasNumberOfObservationsWithNameEqualTo("attempt", 2)
                            .forAllObservationsWithNameEqualTo("attempt", attempt -> ((io.micrometer.observation.tck.ObservationContextAssert<?>) attempt)
                                    .hasParentObservationEqualTo(caller));
                    assertThat(context.getBean(Lifecycles.class).unstopped()).isEmpty();
                });
    }

    @Test
    void withoutObservationOrContextPropagationThereAreNoHooks() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.observation", "io.micrometer.context"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(DikeInstanceContexts.class);
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    assertThat(registry.retrier("plain", RetryConfig.defaults())
                            .executeAsync(() -> CompletableFuture.completedFuture("ok"))).isCompletedWithValue("ok");
                });
    }

    @Test
    void withoutObservationRegistryContextPropagationAloneApplies() {
        runner.run(context -> assertThat(context).hasSingleBean(DikeInstanceContexts.class)
                .doesNotHaveBean(RetryObservations.class));
    }

    private static void assertEveryObservationAcrossTheHops(AssertableApplicationContext context) {
        TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
        DikeRegistry dike = context.getBean(DikeRegistry.class);
        Hops hops = context.getBean(Hops.class);

        // Retry: the second attempt runs after the delay, on the executor.
        Observation retryCaller = Observation.start("retry-caller", registry);
        assertThat(retryOnceAfterADelay(context, registry, retryCaller)).isCompleted();
        retryCaller.stop();
        assertThat(registry).hasObservationWithNameEqualTo("dike.retry").that().hasBeenStopped()
                .hasParentObservationEqualTo(retryCaller)
                .hasLowCardinalityKeyValue("dike.name", "hops-retry")
                .hasLowCardinalityKeyValue("dike.outcome", "success_with_retry")
                .hasHighCardinalityKeyValue("dike.retry.attempts", "2");
        assertThat(registry).hasNumberOfObservationsWithNameEqualTo("attempt", 2)
                .forAllObservationsWithNameEqualTo("attempt", attempt -> ((io.micrometer.observation.tck.ObservationContextAssert<?>) attempt)
                .hasParentObservationContextMatching(parent -> "dike.retry".equals(parent.getName())));

        // Limit: the waiting call starts when the holder's result arrives, in the holder's context.
        JobLimiter limiter = dike.limiter("hops-limit", 1, Duration.ofSeconds(5));
        Observation holder = Observation.start("holder", registry);
        Observation waiter = Observation.start("waiter", registry);
        CompletableFuture<String> held = new CompletableFuture<>();
        holder.scoped(() -> limiter.executeAsync(() -> held));
        CompletableFuture<String> waited = waiter.scoped(() -> limiter.executeAsync(
                () -> Observation.createNotStarted("limited", registry).observe(() -> CompletableFuture.completedFuture("w"))));
        holder.scoped(() -> held.complete("h"));
        hops.runAll();
        assertThat(waited).isCompletedWithValue("w");
        holder.stop();
        waiter.stop();
        assertThat(registry).hasObservationWithNameEqualTo("dike.limit").that().hasBeenStopped()
                .hasParentObservationEqualTo(waiter).hasLowCardinalityKeyValue("dike.outcome", "permitted");
        assertThat(registry).hasNumberOfObservationsWithNameEqualTo("dike.limit", 1)
                .hasObservationWithNameEqualTo("limited").that().hasParentObservationEqualTo(waiter);

        // Batch: two callers, the run on the executor; each caller completes in its own context.
        Batcher<Integer, Integer> batcher = dike.batcher("hops-batch",
                BatchConfig.builder().targetBatchSize(2).maxWaitingTime(Duration.ofSeconds(1)).build(),
                (key, columns) -> Observation.createNotStarted("bulk", registry)
                        .observe(() -> CompletableFuture.completedFuture(columns.get(0))));
        Map<String, Observation> currentAtCompletion = new ConcurrentHashMap<>();
        Observation first = Observation.start("first", registry);
        Observation second = Observation.start("second", registry);
        for (Observation caller : List.of(first, second)) {
            caller.scoped(() -> batcher.submit(List.of(1)).whenComplete((rows, error) ->
                    currentAtCompletion.put(caller.getContext().getName(), registry.getCurrentObservation())));
        }
        hops.runAll();
        first.stop();
        second.stop();
        assertThat(currentAtCompletion).containsEntry("first", first).containsEntry("second", second);
        assertThat(registry).hasObservationWithNameEqualTo("dike.batch").that().hasBeenStopped()
                .doesNotHaveParentObservation().hasLowCardinalityKeyValue("dike.batch.flush.reason", "size")
                .hasLowCardinalityKeyValue("dike.outcome", "success").hasHighCardinalityKeyValue("dike.batch.size", "2");
        assertThat(registry).hasObservationWithNameEqualTo("bulk").that()
                .hasParentObservationContextMatching(parent -> "dike.batch".equals(parent.getName()));

        assertThat(registry).doesNotHaveAnyRemainingCurrentObservation();
        assertThat(context.getBean(Lifecycles.class).unstopped()).as("observations started and never stopped")
                .isEmpty();
    }

    /** A retried call whose first attempt fails; the second runs once the clock passed the delay. */
    private static CompletableFuture<Void> retryOnceAfterADelay(AssertableApplicationContext context,
            ObservationRegistry registry, Observation caller) {
        Retrier retrier = context.getBean(DikeRegistry.class).retrier("hops-retry",
                RetryConfig.builder().attempts(2).delay(Duration.ofSeconds(1)).jitter(0).build());
        int[] attempts = new int[1];
        CompletableFuture<Void> call = caller.scoped(() -> retrier.executeAsync(() -> Observation
                .createNotStarted("attempt", registry).observe(() -> attempts[0]++ == 0
                        ? CompletableFuture.<Void>failedFuture(new IllegalStateException("first"))
                        : CompletableFuture.<Void>completedFuture(null))));
        Hops hops = context.getBean(Hops.class);
        hops.clock.advance(1, TimeUnit.SECONDS);
        hops.runAll();
        return call;
    }

    /** A failure whose retry-after is longer than the retrier waits. */
    static final class Busy extends RuntimeException implements RetryAfter {

        private static final long serialVersionUID = 1L;
        private final transient Duration after;

        Busy(Duration after) {
            super("busy");
            this.after = after;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(after);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithRegistry {

        final Lifecycles lifecycles = new Lifecycles();

        @Bean
        TestObservationRegistry observationRegistry() {
            TestObservationRegistry registry = TestObservationRegistry.create();
            registry.observationConfig().observationHandler(lifecycles);
            return registry;
        }

        @Bean
        Lifecycles lifecycles() {
            return lifecycles;
        }
    }

    /** Every observation started and not (yet) stopped, by name. */
    static final class Lifecycles implements ObservationHandler<Observation.Context> {

        private final Set<Observation.Context> running = ConcurrentHashMap.newKeySet();

        @Override
        public void onStart(Observation.Context context) {
            running.add(context);
        }

        @Override
        public void onStop(Observation.Context context) {
            running.remove(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        List<String> unstopped() {
            return running.stream().map(Observation.Context::getName).toList();
        }
    }

    /** The virtual clock and an executor whose tasks the test runs, on its own thread, outside any scope. */
    @Configuration(proxyBeanMethods = false)
    static class Hops {

        final ManualDelayScheduler clock = new ManualDelayScheduler();
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Bean
        DelayScheduler dikeTestClock() {
            return clock;
        }

        @Bean(DikeAutoConfiguration.EXECUTOR_BEAN_NAME)
        Executor dikeTestExecutor() {
            return tasks::add;
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }
}
