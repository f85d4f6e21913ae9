package dev.dike.benchmarks;

import dev.dike.benchmarks.fixture.FailurePlan;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Item 3 of the suite: dike's {@code @Retry}, Resilience4j's {@code @Retry} and Spring's
 * {@code @Retryable}, each set to two attempts with no delay, on the happy path (the first attempt
 * succeeds) and the one-retry path (the first attempt fails, the second succeeds), synchronous and
 * {@code CompletableFuture}. Spring's {@code @Retryable} does not retry a failed
 * {@code CompletableFuture} (see {@code docs/benchmarks.md}), so its one-retry async row is a call
 * that fails, kept for completeness.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(3)
@Threads(1)
@State(Scope.Thread)
public class SpringRetryBenchmark {

    private final FailurePlan plan = new FailurePlan();

    @Benchmark
    public int floorDirectHappySync(ComparisonContext c) {
        return c.retryPlain.call(plan);
    }

    @Benchmark
    public int dikeHappySync(ComparisonContext c) {
        return c.retryDike.call(plan);
    }

    @Benchmark
    public int resilience4jHappySync(ComparisonContext c) {
        return c.retryResilience4j.call(plan);
    }

    @Benchmark
    public int springHappySync(ComparisonContext c) {
        return c.retrySpring.call(plan);
    }

    @Benchmark
    public Integer floorDirectHappyAsync(ComparisonContext c) {
        return c.retryPlain.callAsync(plan).join();
    }

    @Benchmark
    public Integer dikeHappyAsync(ComparisonContext c) {
        return c.retryDike.callAsync(plan).join();
    }

    @Benchmark
    public Integer resilience4jHappyAsync(ComparisonContext c) {
        return c.retryResilience4j.callAsync(plan).join();
    }

    @Benchmark
    public Integer springHappyAsync(ComparisonContext c) {
        return c.retrySpring.callAsync(plan).join();
    }

    @Benchmark
    public int dikeOneRetrySync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryDike.call(plan);
    }

    @Benchmark
    public int resilience4jOneRetrySync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryResilience4j.call(plan);
    }

    @Benchmark
    public int springOneRetrySync(ComparisonContext c) {
        plan.failNext(1);
        return c.retrySpring.call(plan);
    }

    @Benchmark
    public Integer dikeOneRetryAsync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryDike.callAsync(plan).join();
    }

    @Benchmark
    public Integer resilience4jOneRetryAsync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryResilience4j.callAsync(plan).join();
    }

    /** Spring does not retry a failed future: this times one failed call and its unwrapping. */
    @Benchmark
    public Object springOneRetryAsync(ComparisonContext c) {
        plan.failNext(1);
        return c.retrySpring.callAsync(plan).exceptionally(failure -> null).join();
    }

    @Benchmark
    public int dikeBudgetHappySync(ComparisonContext c) {
        return c.retryDikeBudget.call(plan);
    }

    @Benchmark
    public Integer dikeBudgetHappyAsync(ComparisonContext c) {
        return c.retryDikeBudget.callAsync(plan).join();
    }

    @Benchmark
    public int dikeBudgetOneRetrySync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryDikeBudget.call(plan);
    }

    @Benchmark
    public Integer dikeBudgetOneRetryAsync(ComparisonContext c) {
        plan.failNext(1);
        return c.retryDikeBudget.callAsync(plan).join();
    }
}
