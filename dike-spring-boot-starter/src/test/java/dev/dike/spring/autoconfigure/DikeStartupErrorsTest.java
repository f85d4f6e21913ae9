package dev.dike.spring.autoconfigure;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeConfigurationException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every invalid annotation, property and signature stops startup with a message naming it. */
@ExtendWith(OutputCaptureExtension.class)
class DikeStartupErrorsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class));

    @Test
    void invalidInstancePropertyNamesThePropertyAndValue() {
        failsWith(RetryFetch.class, message -> message
                .contains("bean 'retryFetch' method RetryFetch.fetch()")
                .contains("dike.retry.instances.fetch.attempts=0")
                .contains("must be -1 (unlimited) or at least 1"), "dike.retry.instances.fetch.attempts=0");
    }

    @Test
    void invalidDefaultsPropertyNamesThePropertyAndValue() {
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.defaults.backoff=0.5"),
                "dike.retry.defaults.backoff=0.5");
    }

    @Test
    void invalidRetryBudgetAndPushbackPropertiesNameThePropertyAndValue() {
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.instances.fetch.budget.percent=150")
                .contains("must be between 0 and 100"), "dike.retry.instances.fetch.budget.percent=150");
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.defaults.budget.window=PT0S")
                .contains("must be positive"), "dike.retry.defaults.budget.window=0s");
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.defaults.budget.min-retries-per-second=-1"),
                "dike.retry.defaults.budget.min-retries-per-second=-1");
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.instances.fetch.max-retry-after=PT0S"),
                "dike.retry.instances.fetch.max-retry-after=0s");
    }

    @Test
    void retryBudgetReserveTooLargeToCountNamesBothProperties() {
        // Each value passes alone; their product, 360,000,000 retries per window, cannot be counted.
        failsWith(RetryFetch.class, message -> message
                .contains("Invalid retry budget of @Retry on bean 'retryFetch' method RetryFetch.fetch() (instance 'fetch')")
                .contains("dike.retry.instances.fetch.budget.min-retries-per-second=100000.0 x "
                        + "dike.retry.defaults.budget.window=PT1H")
                .contains("the reserve is 360,000,000 retries per window, more than the 4,194,303"),
                "dike.retry.instances.fetch.budget.min-retries-per-second=100000", "dike.retry.defaults.budget.window=1h");
        // A built-in default is named as such.
        failsWith(RetryFetch.class, message -> message
                .contains("dike.retry.instances.fetch.budget.min-retries-per-second=1000000.0 x budget.window (default PT10S)"),
                "dike.retry.instances.fetch.budget.min-retries-per-second=1000000");
        // A large rate with a short window is a reserve that can be counted: it starts.
        runner.withBean("retryFetch", RetryFetch.class).withPropertyValues(
                "dike.retry.instances.fetch.budget.min-retries-per-second=1000000", "dike.retry.instances.fetch.budget.window=1s")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void invalidRetryBudgetDefaultsAreReportedWithTheOtherProblemsOnce() {
        // The method and the defaults check both find the budget's problem: it is reported once.
        failsWith(RetryFetch.class, message -> message.startsWith("2 problems in dike's configuration:")
                .contains("dike.retry.instances.fetch.attempts=0")
                .contains("Invalid retry budget of @Retry on bean 'retryFetch' method RetryFetch.fetch() (instance "
                        + "'fetch'): dike.retry.defaults.budget.min-retries-per-second=1000000.0 x budget.window "
                        + "(default PT10S)")
                .satisfies(text -> assertThat(text.split("Invalid retry budget of @Retry", -1)).as("budget problems").hasSize(2))
                .doesNotContain("\n\n1. 2 problems"), // one flat list, not a list inside a list
                "dike.retry.instances.fetch.attempts=0", "dike.retry.defaults.budget.min-retries-per-second=1000000");
        failsWith(RetryFetch.class, message -> message.startsWith("Invalid retry budget of @Retry on bean 'retryFetch'")
                .doesNotContain("problems in dike's configuration"),
                "dike.retry.defaults.budget.min-retries-per-second=1000000");
    }

    @Test
    void invalidLimitAndBatchPropertiesNameThePropertyAndValue() {
        failsWith(LimitWork.class, message -> message.contains("dike.limit.instances.work.limit=-1"),
                "dike.limit.instances.work.limit=-1");
        failsWith(BatchAdd.class, message -> message.contains("dike.batch.instances.add.max-concurrent-batches=0"),
                "dike.batch.instances.add.max-concurrent-batches=0");
        failsWith(BatchAdd.class, message -> message.contains("dike.batch.defaults.max-waiting-time=PT0S")
                .contains("is 0, which needs maxConcurrentBatches"), "dike.batch.defaults.max-waiting-time=0ms");
        failsWith(BatchAdd.class, message -> message.contains("dike.batch.defaults.max-waiting-time=PT-0.001S")
                .contains("must be positive, or 0 with maxConcurrentBatches"), "dike.batch.defaults.max-waiting-time=-1ms");
    }

    @Test
    void invalidAnnotationAttributeNamesTheAttributeAndValue() {
        failsWith(BadAttempts.class, message -> message
                .contains("@Retry on bean 'badAttempts' method BadAttempts.fetch()")
                .contains("@Retry(attempts=0)"));
        failsWith(BadJitter.class, message -> message.contains("@Retry(jitter=1.5)"));
        failsWith(BadDuration.class, message -> message.contains("@LimitJobs(maxWait=\"soon\")")
                .contains("not a duration"));
        failsWith(BadBatchSize.class, message -> message.contains("@Batch(targetBatchSize=0)"));
    }

    @Test
    void everyProblemOfOneMethodIsReportedAtOnce() {
        // An invalid @Retry does not hide the invalid @LimitJobs beside it, nor its own invalid budget.
        failsWith(BadRetryAndLimit.class, message -> message.startsWith("3 problems in dike's configuration:")
                .contains("@Retry(attempts=0)")
                .contains("dike.retry.instances.both.budget.percent=101.0")
                .contains("@LimitJobs(maxWait=\"soon\")"),
                "dike.retry.instances.both.budget.enabled=true", "dike.retry.instances.both.budget.percent=101");
    }

    @Test
    void nonThrowableExceptionTypeIsRejected() {
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.defaults.exception-types=[class java.lang.String]")
                .contains("is not a Throwable"), "dike.retry.defaults.exception-types=java.lang.String");
    }

    @Test
    void unresolvablePlaceholderNamesTheAttribute() {
        failsWith(UnresolvedName.class, message -> message.contains("bean 'unresolvedName'")
                .contains("@Retry(name=\"${missing.name}\")").contains("cannot be resolved"));
        failsWith(UnresolvedDelay.class, message -> message.contains("@Retry(delay=\"${missing.delay}\")"));
    }

    @Test
    void missingLimitAndTargetBatchSizeAreReported() {
        failsWith(NoLimit.class, message -> message.contains("@LimitJobs on bean 'noLimit' method NoLimit.work()")
                .contains("has no limit"));
        failsWith(NoTarget.class, message -> message.contains("@Batch on bean 'noTarget' method NoTarget.add(List)")
                .contains("has no targetBatchSize"));
    }

    @Test
    void wrongBatchSignaturesAreReported() {
        failsWith(BatchWithoutList.class, message -> message
                .contains("bean 'batchWithoutList' method BatchWithoutList.add(int)")
                .contains("no List or array parameter"));
        failsWith(BatchReturningString.class, message -> message
                .contains("method BatchReturningString.add(List)").contains("is not a List or an array"));
        failsWith(BatchReturningFlux.class, message -> message.contains("BatchReturningFlux.add(List)")
                .contains("Flux"));
        failsWith(BatchReturningRawFuture.class, message -> message.contains("is not a List or an array inside the future"));
        failsWith(BatchWithLinkedList.class, message -> message.contains("cannot receive the merged list"));
    }

    @Test
    void unsupportedReturnTypeIsReported() {
        failsWith(RetryOnFuture.class, message -> message.contains("Unsupported return type for @Retry")
                .contains("java.util.concurrent.Future<java.lang.String>"));
    }

    @Test
    void methodsSpringAopCannotAdviseAreReported() {
        failsWith(PrivateMethod.class, message -> message.contains("PrivateMethod.hidden()").contains("it is private"));
        failsWith(FinalMethod.class, message -> message.contains("FinalMethod.fixed()").contains("it is final"));
        failsWith(FinalClassLevel.class, message -> message.contains("FinalClassLevel.fixed()").contains("it is final"));
    }

    @Test
    void finalClassesAreReported() {
        // A singleton fails earlier, when Spring cannot subclass it for the proxy: Spring's message.
        runner.withBean("finalClass", FinalClass.class).run(context -> assertThat(context).getFailure()
                .hasMessageContaining("finalClass").rootCause().hasMessageContaining("Cannot subclass final class"));
        // A lazy bean is never created at startup: the dike check reports it.
        runner.withBean("finalClass", FinalClass.class, FinalClass::new, definition -> definition.setLazyInit(true))
                .run(context -> assertThat(dikeFailure(context.getStartupFailure()))
                        .hasMessageContaining("bean 'finalClass'").hasMessageContaining("the class is final"));
    }

    @Test
    void unusedInstanceKeysAreReported() {
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.instances[fetchh]")
                .contains("no @Retry method uses").contains("[fetch]"), "dike.retry.instances.fetchh.attempts=2");
        failsWith(LimitWork.class, message -> message.contains("dike.limit.instances[LimitWork]"),
                "dike.limit.instances.LimitWork.limit=2");
    }

    @Test
    void conflictingSharedNameIsReported() {
        runner.withBean(SharedOne.class).withBean(SharedTwo.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class);
            assertThat(dikeFailure(context.getStartupFailure())).hasMessageContaining("'jobs'")
                    .hasMessageContaining("limit=1").hasMessageContaining("limit=2");
        });
    }

    @Test
    void misspelledKeysNameTheClosestValidKey() {
        failsWith(RetryFetch.class, message -> message
                .contains("The property dike.retry.defaults.atempts is not a dike setting")
                .contains("did you mean `attempts`?").contains("Rename it to dike.retry.defaults.attempts,")
                .contains("Valid keys under dike.retry.defaults: attempts, backoff, budget, delay"),
                "dike.retry.defaults.atempts=2");
        failsWith(RetryFetch.class, message -> message.contains("dike.retyr.defaults.attempts")
                .contains("did you mean `retry`?").contains("Rename it to dike.retry.defaults.attempts,"),
                "dike.retyr.defaults.attempts=2");
        failsWith(RetryFetch.class, message -> message.contains("dike.retry.instances.fetch.max-dealy")
                .contains("did you mean `max-delay`?"), "dike.retry.instances.fetch.max-dealy=1s");
        // Far from every valid key: no guess, the valid keys are listed.
        failsWith(LimitWork.class, message -> message.contains("dike.limit.defaults.permits")
                .doesNotContain("did you mean").contains("Valid keys under dike.limit.defaults: ").contains("limit, max-wait"),
                "dike.limit.defaults.permits=2");
    }

    @Test
    void keysOfPropertiesAddedLaterAreKnownWithoutChangingTheCheck() {
        runner.withUserConfiguration(ExtraSettings.class).withPropertyValues("dike.extra.queue-size=3")
                .run(context -> assertThat(context).hasNotFailed());
        runner.withUserConfiguration(ExtraSettings.class).withPropertyValues("dike.extra.queue-sise=3")
                .run(context -> assertThat(dikeFailure(context.getStartupFailure()).getMessage())
                        .contains("dike.extra.queue-sise").contains("did you mean `queue-size`?"));
    }

    @Test
    void dottedDefaultNameWithoutBracketsGetsTheBracketForm() {
        failsWith(DefaultNamed.class, message -> message
                .contains("The property dike.retry.instances.DefaultNamed.fetch.attempts sets an instance whose name "
                        + "contains dots without brackets")
                .contains("Write the instance name in brackets: dike.retry.instances[DefaultNamed.fetch].attempts")
                .contains("the key \"[DefaultNamed.fetch]\" under dike.retry.instances"),
                "dike.retry.instances.DefaultNamed.fetch.attempts=5");
        // The bracket form works; a name without dots needs none, whatever its case.
        runner.withBean(DefaultNamed.class).withPropertyValues("dike.retry.instances[DefaultNamed.fetch].attempts=5")
                .run(context -> assertThat(context).hasNotFailed());
        runner.withBean(CapitalName.class).withPropertyValues("dike.retry.instances.FetchAll.attempts=5")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void invalidDefaultsAreReportedEvenWhenEveryInstanceOverridesThem() {
        failsWith(RetryFetch.class, message -> message
                .contains("Invalid configuration of @Retry defaults: dike.retry.defaults.backoff=0.5 is invalid")
                .contains("Correct the property dike.retry.defaults.backoff"),
                "dike.retry.instances.fetch.backoff=2", "dike.retry.defaults.backoff=0.5");
        // Also without any annotated method.
        runner.withPropertyValues("dike.limit.defaults.limit=-1", "dike.batch.defaults.max-waiting-time=0s")
                .run(context -> assertThat(dikeFailure(context.getStartupFailure()).getMessage())
                        .contains("dike.limit.defaults.limit=-1").contains("dike.batch.defaults.max-waiting-time=PT0S"));
    }

    @Test
    void allProblemsOfOneStartupAreReportedTogether() {
        runner.withBean(RetryFetch.class).withBean(LimitWork.class).withBean(PrivateMethod.class)
                .withPropertyValues("dike.retry.instances.fetch.attempts=0", "dike.limit.instances.work.limit=-1",
                        "dike.retry.defaults.atempts=2", "dike.batch.instances.nobody.target-batch-size=2")
                .run(context -> {
                    DikeConfigurationException failure = dikeFailure(context.getStartupFailure());
                    assertThat(failure.description()).startsWith("5 problems in dike's configuration:")
                            .contains("1. The property dike.retry.defaults.atempts is not a dike setting")
                            .contains("dike.retry.instances.fetch.attempts=0")
                            .contains("dike.limit.instances.work.limit=-1")
                            .contains("PrivateMethod.hidden()")
                            .contains("5. The property dike.batch.instances[nobody] configures an instance");
                    assertThat(failure.action()).contains("1. Rename it to dike.retry.defaults.attempts")
                            .contains("5. Correct the instance name");
                    assertThat(failure.getSuppressed()).hasSize(5);
                });
    }

    @Test
    void privateOrFinalMethodActionSaysToCallItThroughTheBean() {
        failsWith(PrivateMethod.class, message -> message.contains("Make the method public and not final, and call "
                + "it through the bean").contains("self-invocation"));
    }

    @Test
    void failureAnalyzerPrintsDescriptionAndAction(CapturedOutput output) {
        SpringApplication application = new SpringApplication(BrokenApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatThrownBy(() -> application.run("--dike.retry.instances.fetch.attempts=0")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid configuration of @Retry on bean 'retryFetch' method RetryFetch.fetch(): "
                        + "dike.retry.instances.fetch.attempts=0 is invalid")
                .contains("Correct the property dike.retry.instances.fetch.attempts in the application's configuration.");
    }

    private void failsWith(Class<?> bean, Consumer<AbstractStringAssert<?>> message, String... properties) {
        runner.withBean(decapitalize(bean.getSimpleName()), bean).withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            message.accept(assertThat(dikeFailure(context.getStartupFailure()).getMessage()));
        });
    }

    static DikeConfigurationException dikeFailure(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof DikeConfigurationException dike) {
                return dike;
            }
        }
        throw new AssertionError("No DikeConfigurationException in", failure);
    }

    private static String decapitalize(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({AopAutoConfiguration.class, DikeAutoConfiguration.class})
    static class BrokenApplication {
        @Bean
        RetryFetch retryFetch() {
            return new RetryFetch();
        }
    }

    static class RetryFetch {
        @Retry(name = "fetch")
        public String fetch() {
            return "x";
        }
    }

    static class LimitWork {
        @LimitJobs(name = "work", limit = 1)
        public String work() {
            return "w";
        }
    }

    static class BatchAdd {
        @Batch(name = "add", targetBatchSize = 2)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class BadAttempts {
        @Retry(attempts = 0)
        public String fetch() {
            return "x";
        }
    }

    static class BadRetryAndLimit {
        @Retry(name = "both", attempts = 0)
        @LimitJobs(limit = 1, maxWait = "soon")
        public String fetch() {
            return "x";
        }
    }

    static class BadJitter {
        @Retry(jitter = 1.5)
        public String fetch() {
            return "x";
        }
    }

    static class BadDuration {
        @LimitJobs(limit = 1, maxWait = "soon")
        public String work() {
            return "w";
        }
    }

    static class BadBatchSize {
        @Batch(targetBatchSize = 0)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class UnresolvedName {
        @Retry(name = "${missing.name}")
        public String fetch() {
            return "x";
        }
    }

    static class UnresolvedDelay {
        @Retry(delay = "${missing.delay}")
        public String fetch() {
            return "x";
        }
    }

    static class NoLimit {
        @LimitJobs
        public String work() {
            return "w";
        }
    }

    static class NoTarget {
        @Batch
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    static class BatchWithoutList {
        @Batch(targetBatchSize = 2)
        public List<Integer> add(int value) {
            return List.of(value);
        }
    }

    static class BatchReturningString {
        @Batch(targetBatchSize = 2)
        public String add(List<Integer> values) {
            return "";
        }
    }

    static class BatchReturningFlux {
        @Batch(targetBatchSize = 2)
        public Flux<Integer> add(List<Integer> values) {
            return Flux.fromIterable(values);
        }
    }

    static class BatchReturningRawFuture {
        @SuppressWarnings("rawtypes")
        @Batch(targetBatchSize = 2)
        public CompletableFuture add(List<Integer> values) {
            return CompletableFuture.completedFuture(values);
        }
    }

    static class BatchWithLinkedList {
        @Batch(targetBatchSize = 2)
        public List<Integer> add(java.util.LinkedList<Integer> values) {
            return values;
        }
    }

    static class RetryOnFuture {
        @Retry
        public Future<String> fetch() {
            return CompletableFuture.completedFuture("x");
        }
    }

    static class PrivateMethod {
        public String open() {
            return hidden();
        }

        @Retry
        private String hidden() {
            return "h";
        }
    }

    static class FinalMethod {
        @Retry
        public final String fixed() {
            return "f";
        }
    }

    @Retry
    static class FinalClassLevel {
        public final String fixed() {
            return "f";
        }
    }

    static final class FinalClass {
        @Retry
        public String fetch() {
            return "f";
        }
    }

    static class DefaultNamed {
        @Retry
        public String fetch() {
            return "x";
        }
    }

    static class CapitalName {
        @Retry(name = "FetchAll")
        public String fetch() {
            return "x";
        }
    }

    /** Settings of a feature added later, in a properties class of its own. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ExtraProperties.class)
    static class ExtraSettings {
    }

    @ConfigurationProperties("dike.extra")
    static class ExtraProperties {

        private int queueSize;

        public int getQueueSize() {
            return queueSize;
        }

        public void setQueueSize(int queueSize) {
            this.queueSize = queueSize;
        }
    }

    static class SharedOne {
        @LimitJobs(name = "jobs", limit = 1)
        public String work() {
            return "1";
        }
    }

    static class SharedTwo {
        @LimitJobs(name = "jobs", limit = 2)
        public String work() {
            return "2";
        }
    }
}
