package dev.dike.spring.autoconfigure;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.batch.BatchConfig;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each property, the precedence instance properties > annotation attributes > defaults > built-in
 * defaults, and placeholders, observed on the instances the startup check creates.
 */
class DikeConfigurationPrecedenceTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class));

    @Test
    void builtInDefaultsApplyWhenNothingIsSet() {
        runner.withBean(Plain.class).run(context -> {
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            assertThat(registry.findRetrier("Plain.fetch").orElseThrow().config()).isEqualTo(RetryConfig.defaults());
            JobLimiter limiter = registry.findLimiter("Plain.work").orElseThrow();
            assertThat(limiter.limit()).isEqualTo(4);
            assertThat(limiter.maxWait()).isEqualTo(Duration.ZERO);
            assertThat(registry.findBatcher("Plain.add").orElseThrow().config())
                    .isEqualTo(BatchConfig.builder().targetBatchSize(8).build());
        });
    }

    @Test
    void everyDefaultsPropertyApplies() {
        runner.withBean(Bare.class).withPropertyValues(
                "dike.retry.defaults.attempts=7", "dike.retry.defaults.delay=20ms", "dike.retry.defaults.backoff=2",
                "dike.retry.defaults.max-delay=1s", "dike.retry.defaults.jitter=0.5",
                "dike.retry.defaults.exception-types=java.io.IOException,java.util.concurrent.TimeoutException",
                "dike.retry.defaults.ignored-exception-types=java.io.FileNotFoundException",
                "dike.retry.defaults.log-exception-info=false",
                "dike.limit.defaults.limit=3", "dike.limit.defaults.max-wait=40ms",
                "dike.batch.defaults.target-batch-size=16", "dike.batch.defaults.max-waiting-time=30ms",
                "dike.batch.defaults.max-processing-time=3s", "dike.batch.defaults.max-concurrent-batches=2")
                .run(context -> {
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    assertThat(registry.findRetrier("Bare.fetch").orElseThrow().config()).isEqualTo(RetryConfig.builder()
                            .attempts(7).delay(Duration.ofMillis(20)).backoff(2).maxDelay(Duration.ofSeconds(1))
                            .jitter(0.5).exceptionTypes(List.of(IOException.class, TimeoutException.class))
                            .ignoredExceptionTypes(List.of(java.io.FileNotFoundException.class))
                            .logExceptionInfo(false).build());
                    JobLimiter limiter = registry.findLimiter("Bare.work").orElseThrow();
                    assertThat(limiter.limit()).isEqualTo(3);
                    assertThat(limiter.maxWait()).isEqualTo(Duration.ofMillis(40));
                    assertThat(registry.findBatcher("Bare.add").orElseThrow().config()).isEqualTo(BatchConfig.builder()
                            .targetBatchSize(16).maxWaitingTime(Duration.ofMillis(30))
                            .maxProcessingTime(Duration.ofSeconds(3)).maxConcurrentBatches(2).build());
                });
    }

    @Test
    void annotationAttributesWinOverDefaults() {
        runner.withBean(Annotated.class).withPropertyValues(
                "dike.retry.defaults.attempts=7", "dike.retry.defaults.delay=20ms", "dike.retry.defaults.jitter=0.5",
                "dike.retry.defaults.log-exception-info=true", "dike.retry.defaults.exception-types=java.io.IOException",
                "dike.limit.defaults.limit=3", "dike.limit.defaults.max-wait=40ms",
                "dike.batch.defaults.target-batch-size=16", "dike.batch.defaults.max-waiting-time=30ms")
                .run(context -> {
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    RetryConfig retry = registry.findRetrier("fetch").orElseThrow().config();
                    assertThat(retry.attempts()).isEqualTo(5);
                    assertThat(retry.delay()).isEqualTo(Duration.ofMillis(10));
                    assertThat(retry.backoff()).isEqualTo(3.0);
                    assertThat(retry.maxDelay()).isEqualTo(Duration.ofMillis(500));
                    assertThat(retry.jitter()).isEqualTo(0.5);
                    assertThat(retry.exceptionTypes()).containsExactly(UncheckedIOException.class);
                    assertThat(retry.ignoredExceptionTypes()).containsExactly(IllegalStateException.class);
                    assertThat(retry.logExceptionInfo()).isFalse();
                    JobLimiter limiter = registry.findLimiter("work").orElseThrow();
                    assertThat(limiter.limit()).isEqualTo(2);
                    assertThat(limiter.maxWait()).isEqualTo(Duration.ofMillis(5));
                    assertThat(registry.findBatcher("add").orElseThrow().config()).isEqualTo(BatchConfig.builder()
                            .targetBatchSize(3).maxWaitingTime(Duration.ofMillis(30))
                            .maxProcessingTime(Duration.ofSeconds(2)).maxConcurrentBatches(4).build());
                });
    }

    @Test
    void instancePropertiesWinOverAnnotationAttributes() {
        runner.withBean(Annotated.class).withPropertyValues(
                "dike.retry.defaults.attempts=7",
                "dike.retry.instances.fetch.attempts=9", "dike.retry.instances.fetch.delay=1ms",
                "dike.retry.instances.fetch.backoff=1.5", "dike.retry.instances.fetch.max-delay=2s",
                "dike.retry.instances.fetch.jitter=0.1", "dike.retry.instances.fetch.exception-types=java.io.IOException",
                "dike.retry.instances.fetch.ignored-exception-types=java.io.EOFException",
                "dike.retry.instances.fetch.log-exception-info=true",
                "dike.limit.instances.work.limit=6", "dike.limit.instances.work.max-wait=1s",
                "dike.batch.instances.add.target-batch-size=10", "dike.batch.instances.add.max-waiting-time=1s",
                "dike.batch.instances.add.max-processing-time=5s", "dike.batch.instances.add.max-concurrent-batches=1")
                .run(context -> {
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    assertThat(registry.findRetrier("fetch").orElseThrow().config()).isEqualTo(RetryConfig.builder()
                            .attempts(9).delay(Duration.ofMillis(1)).backoff(1.5).maxDelay(Duration.ofSeconds(2))
                            .jitter(0.1).exceptionTypes(List.of(IOException.class))
                            .ignoredExceptionTypes(List.of(java.io.EOFException.class)).logExceptionInfo(true).build());
                    JobLimiter limiter = registry.findLimiter("work").orElseThrow();
                    assertThat(limiter.limit()).isEqualTo(6);
                    assertThat(limiter.maxWait()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(registry.findBatcher("add").orElseThrow().config()).isEqualTo(BatchConfig.builder()
                            .targetBatchSize(10).maxWaitingTime(Duration.ofSeconds(1))
                            .maxProcessingTime(Duration.ofSeconds(5)).maxConcurrentBatches(1).build());
                });
    }

    @Test
    void defaultNamesWithDotsAreAddressedWithBrackets() {
        runner.withBean(Bare.class).withPropertyValues("dike.retry.instances[Bare.fetch].attempts=2",
                "dike.limit.defaults.limit=1", "dike.batch.defaults.target-batch-size=1")
                .run(context -> assertThat(context.getBean(DikeRegistry.class).findRetrier("Bare.fetch").orElseThrow()
                        .config().attempts()).isEqualTo(2));
    }

    @Test
    void namesAndStringAttributesResolvePlaceholders() {
        runner.withBean(Placeholders.class).withPropertyValues("svc.name=orders", "svc.delay=15ms",
                "svc.wait=25ms", "svc.flush=35ms", "dike.limit.instances.orders-limit.limit=2")
                .run(context -> {
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    assertThat(registry.findRetrier("orders").orElseThrow().config().delay())
                            .isEqualTo(Duration.ofMillis(15));
                    assertThat(registry.findLimiter("orders-limit").orElseThrow().maxWait())
                            .isEqualTo(Duration.ofMillis(25));
                    assertThat(registry.findBatcher("orders-batch").orElseThrow().config().maxWaitingTime())
                            .isEqualTo(Duration.ofMillis(35));
                });
    }

    @Test
    void sharedNamesShareOneInstance() {
        runner.withBean(SharedA.class).withBean(SharedB.class).run(context -> {
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            assertThat(registry.limiters()).containsOnlyKeys("shared");
            assertThat(registry.batchers()).containsOnlyKeys("shared-batch");
        });
    }

    @Test
    void classLevelAnnotationsCoverPublicMethodsOnly() {
        runner.withBean(ClassLevel.class).run(context -> {
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            assertThat(registry.retriers()).containsOnlyKeys("ClassLevel.first", "override");
            assertThat(registry.findRetrier("ClassLevel.first").orElseThrow().config().attempts()).isEqualTo(4);
            assertThat(registry.findRetrier("override").orElseThrow().config().attempts()).isEqualTo(2);
        });
    }

    @Test
    void disabledCreatesNothingAndLeavesBeansUnproxied() {
        runner.withBean(Plain.class).withPropertyValues("dike.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(DikeRegistry.class).doesNotHaveBean("dikeAdvisingPostProcessor");
            assertThat(context.getBean(DikeRegistry.class).retriers()).isEmpty();
            assertThat(org.springframework.aop.support.AopUtils.isAopProxy(context.getBean(Plain.class))).isFalse();
        });
    }

    static class Plain {
        @Retry
        public CompletableFuture<String> fetch() {
            return CompletableFuture.completedFuture("x");
        }

        @LimitJobs(limit = 4)
        public String work() {
            return "w";
        }

        @Batch(targetBatchSize = 8)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class Bare {
        @Retry
        public String fetch() {
            return "x";
        }

        @LimitJobs
        public String work() {
            return "w";
        }

        @Batch
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class Annotated {
        @Retry(name = "fetch", attempts = 5, delay = "10ms", backoff = 3, maxDelay = "500ms",
                exceptionTypes = UncheckedIOException.class, ignoredExceptionTypes = IllegalStateException.class,
                logExceptionInfo = false)
        public String fetch() {
            return "x";
        }

        @LimitJobs(name = "work", limit = 2, maxWait = "5ms")
        public String work() {
            return "w";
        }

        @Batch(name = "add", targetBatchSize = 3, maxProcessingTime = "2s", maxConcurrentBatches = 4)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class Placeholders {
        @Retry(name = "${svc.name}", delay = "${svc.delay}")
        public String fetch() {
            return "x";
        }

        @LimitJobs(name = "${svc.name}-limit", maxWait = "${svc.wait}")
        public String work() {
            return "w";
        }

        @Batch(name = "${svc.name}-batch", targetBatchSize = 2, maxWaitingTime = "${svc.flush}")
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class SharedA {
        @LimitJobs(name = "shared", limit = 2)
        public String work() {
            return "a";
        }

        @Batch(name = "shared-batch", targetBatchSize = 2)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class SharedB {
        @LimitJobs(name = "shared", limit = 2)
        public CompletableFuture<String> work() {
            return CompletableFuture.completedFuture("b");
        }

        @Batch(name = "shared-batch", targetBatchSize = 2)
        public CompletableFuture<String[]> add(int[] values, String label) {
            return CompletableFuture.completedFuture(new String[values.length]);
        }
    }

    @Retry(attempts = 4)
    static class ClassLevel {
        public String first() {
            return "1";
        }

        @Retry(name = "override", attempts = 2)
        public String second() {
            return "2";
        }

        String packagePrivate() {
            return "p";
        }

        @Override
        public String toString() {
            return "ClassLevel";
        }
    }
}
