package dev.dike.benchmarks;

import dev.dike.limit.JobLimiter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
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

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Item 4 of the suite, without Spring: take a permit and give it back, with dike's
 * {@link JobLimiter}, Resilience4j's {@code SemaphoreBulkhead}, {@link Semaphore} and a bare
 * {@link CasLimiter}. One limiter per trial, shared by every thread; the limit is far above the
 * thread count, so every call gets a permit. Run by {@link OneThread} and {@link AllCores}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public abstract class CoreLimiterBenchmark {

    private static final int LIMIT = 1024;

    private final JobLimiter dike = JobLimiter.of("core", LIMIT);
    private final Bulkhead resilience4j = Bulkhead.of("core", BulkheadConfig.custom()
            .maxConcurrentCalls(LIMIT).maxWaitDuration(Duration.ZERO).build());
    private final Semaphore semaphore = new Semaphore(LIMIT);
    private final CasLimiter cas = new CasLimiter(LIMIT);

    @Benchmark
    public boolean dikeJobLimiter() {
        if (dike.tryAcquire()) {
            dike.release();
            return true;
        }
        return false;
    }

    @Benchmark
    public boolean resilience4jSemaphoreBulkhead() {
        if (resilience4j.tryAcquirePermission()) {
            resilience4j.onComplete();
            return true;
        }
        return false;
    }

    @Benchmark
    public boolean jucSemaphore() {
        if (semaphore.tryAcquire()) {
            semaphore.release();
            return true;
        }
        return false;
    }

    @Benchmark
    public boolean casPair() {
        if (cas.tryAcquire()) {
            cas.release();
            return true;
        }
        return false;
    }

    /** One caller. */
    @Threads(1)
    public static class OneThread extends CoreLimiterBenchmark {
    }

    /** One caller per core. */
    @Threads(Threads.MAX)
    public static class AllCores extends CoreLimiterBenchmark {
    }
}
