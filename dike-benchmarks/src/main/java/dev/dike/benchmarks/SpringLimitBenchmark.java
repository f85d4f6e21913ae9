package dev.dike.benchmarks;

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
 * Items 1 and 2 of the suite: the cost of one call of a Spring bean method, called directly, through
 * a no-op {@code @Around} aspect (the floor of AspectJ-style advice, which dike and Resilience4j
 * use), through a no-op {@code MethodInterceptor} advisor (the floor of Spring's native advice
 * style, which Spring's own resilient methods use), and behind dike's {@code @LimitJobs}, Resilience4j's
 * semaphore {@code @Bulkhead} and Spring's {@code @ConcurrencyLimit(policy = REJECT)}, for a
 * synchronous method and one returning a completed {@code CompletableFuture}. Every limit is far
 * above the thread count: the permitted path is timed. Run by {@link OneThread} and
 * {@link AllCores}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public abstract class SpringLimitBenchmark {

    private int x = 41;

    @Benchmark
    public int floorDirectSync(ComparisonContext c) {
        return c.limitPlain.call(x);
    }

    @Benchmark
    public int floorNoOpAspectSync(ComparisonContext c) {
        return c.limitNoOp.call(x);
    }

    @Benchmark
    public int floorNoOpInterceptorSync(ComparisonContext c) {
        return c.limitNoOpInterceptor.call(x);
    }

    @Benchmark
    public int dikeSync(ComparisonContext c) {
        return c.limitDike.call(x);
    }

    /** The same, with an adaptive limit (issue #14's target: within 1.5x of {@link #dikeSync}). */
    @Benchmark
    public int dikeAdaptiveSync(ComparisonContext c) {
        return c.limitDikeAdaptive.call(x);
    }

    @Benchmark
    public int resilience4jSync(ComparisonContext c) {
        return c.limitResilience4j.call(x);
    }

    @Benchmark
    public int springSync(ComparisonContext c) {
        return c.limitSpring.call(x);
    }

    @Benchmark
    public Integer floorDirectAsync(ComparisonContext c) {
        return c.limitPlain.callAsync(x).join();
    }

    @Benchmark
    public Integer floorNoOpAspectAsync(ComparisonContext c) {
        return c.limitNoOp.callAsync(x).join();
    }

    @Benchmark
    public Integer floorNoOpInterceptorAsync(ComparisonContext c) {
        return c.limitNoOpInterceptor.callAsync(x).join();
    }

    @Benchmark
    public Integer dikeAsync(ComparisonContext c) {
        return c.limitDike.callAsync(x).join();
    }

    @Benchmark
    public Integer dikeAdaptiveAsync(ComparisonContext c) {
        return c.limitDikeAdaptive.callAsync(x).join();
    }

    @Benchmark
    public Integer resilience4jAsync(ComparisonContext c) {
        return c.limitResilience4j.callAsync(x).join();
    }

    @Benchmark
    public Integer springAsync(ComparisonContext c) {
        return c.limitSpring.callAsync(x).join();
    }

    /** One caller. */
    @Threads(1)
    public static class OneThread extends SpringLimitBenchmark {
    }

    /** One caller per core, all calling the same limiter. */
    @Threads(Threads.MAX)
    public static class AllCores extends SpringLimitBenchmark {
    }
}
