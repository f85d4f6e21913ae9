package dev.dike.spring.autoconfigure;

import dev.dike.annotation.LimitJobs;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.adaptive.AdaptiveLimit;
import dev.dike.limit.adaptive.AdaptiveState;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.actuate.DikeEndpoint;
import dev.dike.spring.metrics.DikeMetricsAutoConfiguration;
import dev.dike.time.ManualDelayScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dike.limit.*.adaptive.*}: the properties make a limiter adaptive, the limit in force is what
 * the gauge and the actuator show (with the algorithm's state), and bad values stop startup naming
 * every wrong property.
 */
class AdaptiveLimitWiringTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class,
                    DikeMetricsAutoConfiguration.class))
            .withUserConfiguration(Clock.class)
            .withBean("work", Work.class);

    @Test
    void anAdaptiveLimiterStartsAtItsLimitAndAdaptsFromCompletionsThroughTheAdvice() {
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true").run(context -> {
            assertThat(context).hasNotFailed();
            Work work = context.getBean(Work.class);
            ManualDelayScheduler clock = context.getBean(ManualDelayScheduler.class);
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            work.call(); // the limiter is created on the first call
            JobLimiter limiter = registry.findLimiter("work").orElseThrow();
            AdaptiveLimit adaptive = registry.findAdaptiveLimit("work").orElseThrow();
            assertThat(adaptive.limiter()).isSameAs(limiter);
            assertThat(limiter.limit()).as("initial-limit defaults to the limit").isEqualTo(4);
            clock.advance(40, TimeUnit.MILLISECONDS);
            work.completeAll();

            // 200 ms of calls beyond the limit, 40 ms each, at the baseline latency: slow start doubles.
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < limiter.limit() + 2; i++) {
                    work.call().exceptionally(rejected -> null);
                }
                clock.advance(40, TimeUnit.MILLISECONDS);
                work.completeAll();
            }
            assertThat(limiter.limit()).isGreaterThan(4);

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("dike.limit.limit").tag("name", "work").gauge().value()).isEqualTo(limiter.limit());
            AdaptiveState state = new DikeEndpoint(registry).instances().limiters().get("work").adaptive();
            assertThat(state.limit()).isEqualTo(limiter.limit());
            assertThat(state.baselineLatencyMillis()).isEqualTo(40.0);
            assertThat(state.slowStart()).isTrue();
        });
    }

    @Test
    void theDefaultsMakeEveryLimiterAdaptiveUnlessAnInstanceSaysOtherwise() {
        runner.withPropertyValues("dike.limit.defaults.adaptive.enabled=true",
                "dike.limit.defaults.adaptive.initial-limit=3").run(context -> {
            context.getBean(Work.class).call();
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            assertThat(registry.findAdaptiveLimit("work")).isPresent();
            assertThat(registry.findLimiter("work").orElseThrow().limit()).isEqualTo(3);
            assertThat(new DikeEndpoint(registry).instances().limiters().get("work").adaptive()).isNotNull();
        });
        runner.withPropertyValues("dike.limit.defaults.adaptive.enabled=true",
                "dike.limit.instances.work.adaptive.enabled=false").run(context -> {
            context.getBean(Work.class).call();
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            assertThat(registry.findAdaptiveLimit("work")).isEmpty();
            assertThat(new DikeEndpoint(registry).instances().limiters().get("work").adaptive()).isNull();
        });
    }

    @Test
    void invalidAdaptiveSettingsStopStartupNamingEveryPropertyAtOnce() {
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true",
                "dike.limit.instances.work.adaptive.min-limit=10", "dike.limit.instances.work.adaptive.max-limit=5",
                "dike.limit.defaults.adaptive.tolerance=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(dikeFailure(context.getStartupFailure()).getMessage())
                    .contains("Invalid adaptive limit of @LimitJobs on bean 'work' method Work.call() (instance 'work')")
                    .contains("dike.limit.instances.work.adaptive.max-limit: maxLimit '5' must be at least minLimit '10'")
                    .contains("dike.limit.defaults.adaptive.tolerance: tolerance '0.0' must be greater than 0");
        });
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true",
                "dike.limit.instances.work.adaptive.min-limit=0").run(context ->
                assertThat(dikeFailure(context.getStartupFailure()).getMessage())
                        .contains("dike.limit.instances.work.adaptive.min-limit: minLimit '0' must be at least 1"));
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true",
                "dike.limit.instances.work.adaptive.max-limit=3").run(context ->
                assertThat(dikeFailure(context.getStartupFailure()).getMessage())
                        .contains("adaptive.initial-limit (default: the limit): initialLimit '4' must be within "
                                + "minLimit '1' and maxLimit '3'"));
    }

    @Test
    void anAdaptiveClusterScopedInstanceStopsStartupNamingBothProperties() {
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true",
                "dike.limit.instances.work.scope=cluster").run(context -> {
            assertThat(context).hasFailed();
            DikeConfigurationException failure = dikeFailure(context.getStartupFailure());
            assertThat(failure.description())
                    .contains("Adaptive limit with scope cluster for @LimitJobs on bean 'work' method Work.call() "
                            + "(instance 'work')")
                    .contains("dike.limit.instances.work.adaptive.enabled=true and "
                            + "dike.limit.instances.work.scope=cluster");
            assertThat(failure.action()).isEqualTo("Set dike.limit.instances.work.adaptive.enabled=false, or "
                    + "dike.limit.instances.work.scope=local.");
        });
    }

    @Test
    void adaptiveDefaultsOnAClusterScopedInstanceStopStartupNamingTheDefaultsProperty() {
        // Not silently ignored: the instance would otherwise run a fixed cluster limit despite the defaults.
        runner.withPropertyValues("dike.limit.defaults.adaptive.enabled=true", "dike.limit.instances.work.scope=cluster")
                .run(context -> {
                    DikeConfigurationException failure = dikeFailure(context.getStartupFailure());
                    assertThat(failure.description()).contains("dike.limit.defaults.adaptive.enabled=true and "
                            + "dike.limit.instances.work.scope=cluster");
                    assertThat(failure.action()).contains("dike.limit.instances.work.adaptive.enabled=false");
                });
        runner.withPropertyValues("dike.limit.instances.work.adaptive.enabled=true", "dike.limit.defaults.scope=cluster")
                .run(context -> assertThat(dikeFailure(context.getStartupFailure()).description())
                        .contains("dike.limit.instances.work.adaptive.enabled=true and dike.limit.defaults.scope=cluster"));
        // An instance that turns adaptive off under adaptive defaults is a plain cluster limit: this check passes
        // and startup fails only later, for the missing Redis connection.
        runner.withPropertyValues("dike.limit.defaults.adaptive.enabled=true", "dike.limit.instances.work.scope=cluster",
                "dike.limit.instances.work.adaptive.enabled=false")
                .run(context -> assertThat(dikeFailure(context.getStartupFailure()).description())
                        .contains("dike.limit.instances.work.scope is cluster")
                        .doesNotContain("Adaptive limit with scope cluster"));
        // Both in the defaults is no error by itself: an instance that overrides the scope is a local adaptive limit.
        runner.withPropertyValues("dike.limit.defaults.adaptive.enabled=true", "dike.limit.defaults.scope=cluster",
                "dike.limit.instances.work.scope=local").run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(Work.class).call();
                    assertThat(context.getBean(DikeRegistry.class).findAdaptiveLimit("work")).isPresent();
                });
    }

    private static DikeConfigurationException dikeFailure(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof DikeConfigurationException dike) {
                return dike;
            }
        }
        throw new AssertionError("No DikeConfigurationException in", failure);
    }

    /** The virtual clock, which the registry takes as its scheduler, and a meter registry. */
    @Configuration(proxyBeanMethods = false)
    static class Clock {
        @Bean
        ManualDelayScheduler manualDelayScheduler() {
            return new ManualDelayScheduler();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    static class Work {
        private final List<CompletableFuture<String>> open = new ArrayList<>();

        @LimitJobs(name = "work", limit = 4)
        public CompletableFuture<String> call() {
            CompletableFuture<String> call = new CompletableFuture<>();
            synchronized (open) {
                open.add(call);
            }
            return call;
        }

        void completeAll() {
            List<CompletableFuture<String>> calls;
            synchronized (open) {
                calls = new ArrayList<>(open);
                open.clear();
            }
            calls.forEach(call -> call.complete("done"));
        }
    }
}
