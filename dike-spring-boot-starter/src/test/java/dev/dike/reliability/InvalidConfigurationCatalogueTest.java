package dev.dike.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;

/**
 * A catalogue of invalid configurations, annotation attributes and {@code dike.*} properties alike.
 * Each must stop the application context with a message that names where the mistake is (the bean
 * and method, the attribute or the property) and the offending value, so that the user can fix it
 * from the message alone.
 */
class InvalidConfigurationCatalogueTest {

    private static final AtomicInteger REJECTED = new AtomicInteger();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class));

    /** One invalid configuration: the beans, the properties, and what the failure must name. */
    record Invalid(String description, List<Class<?>> beans, List<String> properties, List<String> mustName) {

        Invalid properties(String... values) {
            return new Invalid(description, beans, List.of(values), mustName);
        }

        Invalid naming(String... texts) {
            return new Invalid(description, beans, properties, List.of(texts));
        }

        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Invalid> catalogue() {
        return Stream.of(
                // @Retry attributes
                invalid("@Retry attempts 0", RetryAttemptsZero.class)
                        .naming("bean 'retryAttemptsZero'", "RetryAttemptsZero.fetch()", "@Retry(attempts=0)"),
                invalid("@Retry attempts below -1", RetryAttemptsNegative.class)
                        .naming("RetryAttemptsNegative.fetch()", "@Retry(attempts=-2)"),
                invalid("@Retry negative delay", RetryNegativeDelay.class)
                        .naming("RetryNegativeDelay.fetch()", "@Retry(delay=\"-1s\")"),
                invalid("@Retry unparsable delay", RetryUnparsableDelay.class)
                        .naming("RetryUnparsableDelay.fetch()", "@Retry(delay=\"soon\")"),
                invalid("@Retry delay with an unknown unit", RetryUnknownUnit.class)
                        .naming("RetryUnknownUnit.fetch()", "@Retry(delay=\"5 minutes\")"),
                invalid("@Retry delay overflowing a long", RetryOverflowingDelay.class)
                        .naming("RetryOverflowingDelay.fetch()", "99999999999999999999ms"),
                invalid("@Retry backoff below 1", RetryBackoffBelowOne.class)
                        .naming("RetryBackoffBelowOne.fetch()", "@Retry(backoff=0.5)"),
                invalid("@Retry infinite backoff", RetryInfiniteBackoff.class)
                        .naming("RetryInfiniteBackoff.fetch()", "@Retry(backoff=Infinity)"),
                invalid("@Retry zero maxDelay", RetryZeroMaxDelay.class)
                        .naming("RetryZeroMaxDelay.fetch()", "@Retry(maxDelay=\"0ms\")"),
                invalid("@Retry negative maxDelay", RetryNegativeMaxDelay.class)
                        .naming("RetryNegativeMaxDelay.fetch()", "@Retry(maxDelay=\"-5ms\")"),
                invalid("@Retry jitter above 1", RetryJitterAboveOne.class)
                        .naming("RetryJitterAboveOne.fetch()", "@Retry(jitter=1.5)"),
                invalid("@Retry negative jitter", RetryNegativeJitter.class)
                        .naming("RetryNegativeJitter.fetch()", "@Retry(jitter=-0.1)"),
                invalid("@Retry unresolvable placeholder in delay", RetryUnresolvedDelay.class)
                        .naming("RetryUnresolvedDelay.fetch()", "@Retry(delay=\"${missing.delay}\")"),
                invalid("@Retry unresolvable placeholder in name", RetryUnresolvedName.class)
                        .naming("RetryUnresolvedName.fetch()", "@Retry(name=\"${missing.name}\")"),
                invalid("@Retry blank name", RetryBlankName.class)
                        .naming("RetryBlankName.fetch()", "@Retry(name=\"  \")"),
                invalid("@Retry on a method returning Future", RetryOnFuture.class)
                        .naming("RetryOnFuture.fetch()", "java.util.concurrent.Future<java.lang.String>"),
                invalid("@Retry on a final method", RetryOnFinalMethod.class)
                        .naming("RetryOnFinalMethod.fetch()", "final"),
                invalid("@Retry on a private method", RetryOnPrivateMethod.class)
                        .naming("RetryOnPrivateMethod.hidden()", "private"),

                // dike.retry.* properties
                invalid("retry instance attempts 0", RetryFetch.class).properties("dike.retry.instances.fetch.attempts=0")
                        .naming("RetryFetch.fetch()", "dike.retry.instances.fetch.attempts=0"),
                invalid("retry defaults attempts -7", RetryFetch.class).properties("dike.retry.defaults.attempts=-7")
                        .naming("RetryFetch.fetch()", "dike.retry.defaults.attempts=-7"),
                invalid("retry instance negative delay", RetryFetch.class).properties("dike.retry.instances.fetch.delay=-1s")
                        .naming("RetryFetch.fetch()", "dike.retry.instances.fetch.delay=PT-1S"),
                invalid("retry instance unparsable delay", RetryFetch.class)
                        .properties("dike.retry.instances.fetch.delay=banana")
                        .naming("dike.retry.instances.fetch.delay", "banana"),
                invalid("retry defaults NaN backoff", RetryFetch.class).properties("dike.retry.defaults.backoff=NaN")
                        .naming("RetryFetch.fetch()", "dike.retry.defaults.backoff=NaN"),
                invalid("retry instance unparsable backoff", RetryFetch.class)
                        .properties("dike.retry.instances.fetch.backoff=twice")
                        .naming("dike.retry.instances.fetch.backoff", "twice"),
                invalid("retry instance jitter 2", RetryFetch.class).properties("dike.retry.instances.fetch.jitter=2")
                        .naming("RetryFetch.fetch()", "dike.retry.instances.fetch.jitter=2.0"),
                invalid("retry defaults zero max-delay", RetryFetch.class).properties("dike.retry.defaults.max-delay=0s")
                        .naming("RetryFetch.fetch()", "dike.retry.defaults.max-delay=PT0S"),
                invalid("retry instance unknown exception class", RetryFetch.class)
                        .properties("dike.retry.instances.fetch.exception-types=com.example.NoSuchException")
                        .naming("dike.retry.instances.fetch.exception-types", "com.example.NoSuchException"),
                invalid("retry defaults ignored type not a Throwable", RetryFetch.class)
                        .properties("dike.retry.defaults.ignored-exception-types=java.lang.String")
                        .naming("RetryFetch.fetch()", "dike.retry.defaults.ignored-exception-types", "java.lang.String"),
                invalid("retry instance attempts overflowing an int", RetryFetch.class)
                        .properties("dike.retry.instances.fetch.attempts=99999999999")
                        .naming("dike.retry.instances.fetch.attempts", "99999999999"),
                invalid("retry defaults unparsable boolean", RetryFetch.class)
                        .properties("dike.retry.defaults.log-exception-info=maybe")
                        .naming("dike.retry.defaults.log-exception-info", "maybe"),
                invalid("retry instance unknown key", RetryFetch.class)
                        .properties("dike.retry.instances.fetch.atempts=2")
                        .naming("dike.retry.instances.fetch.atempts"),
                invalid("retry unknown instance name", RetryFetch.class).properties("dike.retry.instances.fetchh.attempts=2")
                        .naming("dike.retry.instances[fetchh]", "@Retry"),

                // @LimitJobs attributes
                invalid("@LimitJobs negative limit", LimitNegative.class)
                        .naming("bean 'limitNegative'", "LimitNegative.work()", "@LimitJobs(limit=-1)"),
                invalid("@LimitJobs most negative limit", LimitMostNegative.class)
                        .naming("LimitMostNegative.work()", "@LimitJobs(limit=-2147483647)"),
                invalid("@LimitJobs without a limit anywhere", LimitMissing.class)
                        .naming("LimitMissing.work()", "has no limit"),
                invalid("@LimitJobs unparsable maxWait", LimitUnparsableWait.class)
                        .naming("LimitUnparsableWait.work()", "@LimitJobs(maxWait=\"soon\")"),
                invalid("@LimitJobs negative maxWait", LimitNegativeWait.class)
                        .naming("LimitNegativeWait.work()", "@LimitJobs(maxWait=\"-1s\")"),
                invalid("@LimitJobs on a method returning Future", LimitOnFuture.class)
                        .naming("LimitOnFuture.work()", "java.util.concurrent.Future<java.lang.String>"),

                // dike.limit.* properties
                invalid("limit instance -1", LimitWork.class).properties("dike.limit.instances.work.limit=-1")
                        .naming("LimitWork.work()", "dike.limit.instances.work.limit=-1"),
                invalid("limit defaults -3 for an annotation without limit", LimitMissing.class)
                        .properties("dike.limit.defaults.limit=-3")
                        .naming("LimitMissing.work()", "dike.limit.defaults.limit=-3"),
                invalid("limit defaults negative max-wait", LimitWork.class).properties("dike.limit.defaults.max-wait=-10ms")
                        .naming("LimitWork.work()", "dike.limit.defaults.max-wait=PT-0.01S"),
                invalid("limit instance limit overflowing an int", LimitWork.class)
                        .properties("dike.limit.instances.work.limit=3000000000")
                        .naming("dike.limit.instances.work.limit", "3000000000"),
                invalid("limit instance unparsable max-wait", LimitWork.class)
                        .properties("dike.limit.instances.work.max-wait=forever")
                        .naming("dike.limit.instances.work.max-wait", "forever"),
                invalid("limit unknown instance name", LimitWork.class).properties("dike.limit.instances.wrok.limit=2")
                        .naming("dike.limit.instances[wrok]", "@LimitJobs"),

                // @Batch attributes and signatures
                invalid("@Batch targetBatchSize 0", BatchTargetZero.class)
                        .naming("bean 'batchTargetZero'", "BatchTargetZero.add(List)", "@Batch(targetBatchSize=0)"),
                invalid("@Batch negative targetBatchSize", BatchTargetNegative.class)
                        .naming("BatchTargetNegative.add(List)", "@Batch(targetBatchSize=-3)"),
                invalid("@Batch without a targetBatchSize anywhere", BatchTargetMissing.class)
                        .naming("BatchTargetMissing.add(List)", "has no targetBatchSize"),
                invalid("@Batch zero maxWaitingTime", BatchZeroWaiting.class)
                        .naming("BatchZeroWaiting.add(List)", "@Batch(maxWaitingTime=\"0ms\")"),
                invalid("@Batch unparsable maxWaitingTime", BatchUnparsableWaiting.class)
                        .naming("BatchUnparsableWaiting.add(List)", "@Batch(maxWaitingTime=\"later\")"),
                invalid("@Batch negative maxProcessingTime", BatchNegativeProcessing.class)
                        .naming("BatchNegativeProcessing.add(List)", "@Batch(maxProcessingTime=\"-1s\")"),
                invalid("@Batch maxConcurrentBatches 0", BatchZeroConcurrent.class)
                        .naming("BatchZeroConcurrent.add(List)", "@Batch(maxConcurrentBatches=0)"),
                invalid("@Batch negative maxConcurrentBatches", BatchNegativeConcurrent.class)
                        .naming("BatchNegativeConcurrent.add(List)", "@Batch(maxConcurrentBatches=-5)"),
                invalid("@Batch without a List or array parameter", BatchWithoutList.class)
                        .naming("bean 'batchWithoutList'", "BatchWithoutList.add(int)", "no List or array parameter"),
                invalid("@Batch returning a String", BatchReturningString.class)
                        .naming("BatchReturningString.add(List)", "java.lang.String"),
                invalid("@Batch returning void", BatchReturningVoid.class)
                        .naming("BatchReturningVoid.add(List)", "void"),
                invalid("@Batch returning a Flux", BatchReturningFlux.class)
                        .naming("BatchReturningFlux.add(List)", "reactor.core.publisher.Flux<java.lang.Integer>"),
                invalid("@Batch returning a raw CompletableFuture", BatchReturningRawFuture.class)
                        .naming("BatchReturningRawFuture.add(List)", "java.util.concurrent.CompletableFuture"),
                invalid("@Batch taking a LinkedList", BatchTakingLinkedList.class)
                        .naming("BatchTakingLinkedList.add(LinkedList)", "LinkedList"),

                // dike.batch.* properties
                invalid("batch instance target-batch-size 0", BatchAdd.class)
                        .properties("dike.batch.instances.add.target-batch-size=0")
                        .naming("BatchAdd.add(List)", "dike.batch.instances.add.target-batch-size=0"),
                invalid("batch defaults zero max-waiting-time", BatchAdd.class)
                        .properties("dike.batch.defaults.max-waiting-time=0ms")
                        .naming("BatchAdd.add(List)", "dike.batch.defaults.max-waiting-time=PT0S"),
                invalid("batch instance zero max-processing-time", BatchAdd.class)
                        .properties("dike.batch.instances.add.max-processing-time=0s")
                        .naming("BatchAdd.add(List)", "dike.batch.instances.add.max-processing-time=PT0S"),
                invalid("batch instance max-concurrent-batches -1", BatchAdd.class)
                        .properties("dike.batch.instances.add.max-concurrent-batches=-1")
                        .naming("BatchAdd.add(List)", "dike.batch.instances.add.max-concurrent-batches=-1"),
                invalid("batch instance unparsable target-batch-size", BatchAdd.class)
                        .properties("dike.batch.instances.add.target-batch-size=1e3")
                        .naming("dike.batch.instances.add.target-batch-size", "1e3"),
                invalid("batch unknown instance name", BatchAdd.class).properties("dike.batch.instances.ad.target-batch-size=5")
                        .naming("dike.batch.instances[ad]", "@Batch"),

                // One name, conflicting settings (names may be shared across kinds: the default name of
                // a method with @Retry and @LimitJobs is the same for both)
                invalid("one @LimitJobs name with two limits", SharedLimitOne.class, SharedLimitTwo.class)
                        .naming("'jobs'", "limit=1", "limit=2"),
                invalid("one @LimitJobs name with two maxWaits", SharedLimitOne.class, SharedLimitWaiting.class)
                        .naming("'jobs'", "maxWait=PT0S", "maxWait=PT0.05S"),
                invalid("one @Retry name with two attempt counts", SharedRetryTwo.class, SharedRetryFive.class)
                        .naming("'calls'", "attempts=2", "attempts=5"),
                invalid("one @Batch name with two target sizes", SharedBatchTwo.class, SharedBatchThree.class)
                        .naming("'adds'", "targetBatchSize=2", "targetBatchSize=3"),

                // Global switches
                invalid("unparsable dike.enabled", RetryFetch.class).properties("dike.enabled=perhaps")
                        .naming("dike.enabled", "perhaps"),
                invalid("unparsable aspect order", RetryFetch.class).properties("dike.aspect-order.retry=first")
                        .naming("dike.aspect-order.retry", "first"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void stopsTheContextNamingWhereAndWhat(Invalid invalid) {
        ApplicationContextRunner configured = runner.withPropertyValues(invalid.properties().toArray(String[]::new));
        for (Class<?> bean : invalid.beans()) {
            configured = configured.withBean(decapitalize(bean.getSimpleName()), bean);
        }
        configured.run(context -> {
            assertThat(context).as("the context must not start").hasFailed();
            String messages = messages(context.getStartupFailure());
            for (String text : invalid.mustName()) {
                assertThat(messages).as("the failure names %s", text).contains(text);
            }
            REJECTED.incrementAndGet();
        });
    }

    @AfterAll
    static void report() {
        System.out.printf("RELIABILITY invalid-configuration: cases=%d rejected=%d%n", catalogue().count(),
                REJECTED.get());
    }

    private static Invalid invalid(String description, Class<?>... beans) {
        return new Invalid(description, List.of(beans), List.of(), List.of());
    }

    /** Every message of the failure and its causes: what the user sees in the startup report. */
    private static String messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable current = failure; current != null; current = current.getCause()) {
            messages.add(current.getClass().getName() + ": " + current.getMessage());
        }
        return String.join("\n", messages);
    }

    private static String decapitalize(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    // ---- fixtures: one small bean per mistake ----

    public static class RetryAttemptsZero {
        @Retry(attempts = 0)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryAttemptsNegative {
        @Retry(attempts = -2)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryNegativeDelay {
        @Retry(delay = "-1s")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryUnparsableDelay {
        @Retry(delay = "soon")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryUnknownUnit {
        @Retry(delay = "5 minutes")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryOverflowingDelay {
        @Retry(delay = "99999999999999999999ms")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryBackoffBelowOne {
        @Retry(backoff = 0.5)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryInfiniteBackoff {
        @Retry(backoff = Double.POSITIVE_INFINITY)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryZeroMaxDelay {
        @Retry(maxDelay = "0ms")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryNegativeMaxDelay {
        @Retry(maxDelay = "-5ms")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryJitterAboveOne {
        @Retry(jitter = 1.5)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryNegativeJitter {
        @Retry(jitter = -0.1)
        public String fetch() {
            return "x";
        }
    }

    public static class RetryUnresolvedDelay {
        @Retry(delay = "${missing.delay}")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryUnresolvedName {
        @Retry(name = "${missing.name}")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryBlankName {
        @Retry(name = "  ")
        public String fetch() {
            return "x";
        }
    }

    public static class RetryOnFuture {
        @Retry
        public Future<String> fetch() {
            return CompletableFuture.completedFuture("x");
        }
    }

    public static class RetryOnFinalMethod {
        @Retry
        public final String fetch() {
            return "x";
        }
    }

    public static class RetryOnPrivateMethod {
        public String open() {
            return hidden();
        }

        @Retry
        private String hidden() {
            return "x";
        }
    }

    public static class RetryFetch {
        @Retry(name = "fetch")
        public String fetch() {
            return "x";
        }
    }

    public static class LimitNegative {
        @LimitJobs(limit = -1)
        public String work() {
            return "w";
        }
    }

    public static class LimitMostNegative {
        @LimitJobs(limit = Integer.MIN_VALUE + 1)
        public String work() {
            return "w";
        }
    }

    public static class LimitMissing {
        @LimitJobs
        public String work() {
            return "w";
        }
    }

    public static class LimitUnparsableWait {
        @LimitJobs(limit = 1, maxWait = "soon")
        public String work() {
            return "w";
        }
    }

    public static class LimitNegativeWait {
        @LimitJobs(limit = 1, maxWait = "-1s")
        public String work() {
            return "w";
        }
    }

    public static class LimitOnFuture {
        @LimitJobs(limit = 1)
        public Future<String> work() {
            return CompletableFuture.completedFuture("w");
        }
    }

    public static class LimitWork {
        @LimitJobs(name = "work", limit = 1)
        public String work() {
            return "w";
        }
    }

    public static class BatchTargetZero {
        @Batch(targetBatchSize = 0)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchTargetNegative {
        @Batch(targetBatchSize = -3)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchTargetMissing {
        @Batch
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchZeroWaiting {
        @Batch(targetBatchSize = 2, maxWaitingTime = "0ms")
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchUnparsableWaiting {
        @Batch(targetBatchSize = 2, maxWaitingTime = "later")
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchNegativeProcessing {
        @Batch(targetBatchSize = 2, maxProcessingTime = "-1s")
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchZeroConcurrent {
        @Batch(targetBatchSize = 2, maxConcurrentBatches = 0)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchNegativeConcurrent {
        @Batch(targetBatchSize = 2, maxConcurrentBatches = -5)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class BatchWithoutList {
        @Batch(targetBatchSize = 2)
        public List<Integer> add(int value) {
            return List.of(value);
        }
    }

    public static class BatchReturningString {
        @Batch(targetBatchSize = 2)
        public String add(List<Integer> values) {
            return "";
        }
    }

    public static class BatchReturningVoid {
        @Batch(targetBatchSize = 2)
        public void add(List<Integer> values) {
        }
    }

    public static class BatchReturningFlux {
        @Batch(targetBatchSize = 2)
        public Flux<Integer> add(List<Integer> values) {
            return Flux.fromIterable(values);
        }
    }

    public static class BatchReturningRawFuture {
        @SuppressWarnings("rawtypes")
        @Batch(targetBatchSize = 2)
        public CompletableFuture add(List<Integer> values) {
            return CompletableFuture.completedFuture(values);
        }
    }

    public static class BatchTakingLinkedList {
        @Batch(targetBatchSize = 2)
        public List<Integer> add(LinkedList<Integer> values) {
            return values;
        }
    }

    public static class BatchAdd {
        @Batch(name = "add", targetBatchSize = 2)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class SharedLimitOne {
        @LimitJobs(name = "jobs", limit = 1)
        public String work() {
            return "1";
        }
    }

    public static class SharedLimitTwo {
        @LimitJobs(name = "jobs", limit = 2)
        public String work() {
            return "2";
        }
    }

    public static class SharedLimitWaiting {
        @LimitJobs(name = "jobs", limit = 1, maxWait = "50ms")
        public String work() {
            return "w";
        }
    }

    public static class SharedRetryTwo {
        @Retry(name = "calls", attempts = 2)
        public String fetch() {
            return "2";
        }
    }

    public static class SharedRetryFive {
        @Retry(name = "calls", attempts = 5)
        public String fetch() {
            return "5";
        }
    }

    public static class SharedBatchTwo {
        @Batch(name = "adds", targetBatchSize = 2)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }

    public static class SharedBatchThree {
        @Batch(name = "adds", targetBatchSize = 3)
        public List<Integer> add(List<Integer> values) {
            return values;
        }
    }
}
