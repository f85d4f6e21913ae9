package dev.dike.benchmarks;

import dev.dike.benchmarks.cluster.ClusterLimitContext;
import dev.dike.benchmarks.cluster.ClusterLimitCalls;

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
 * The cost of a cluster-wide limit (issue 13): acquire + release through {@code @LimitJobs} with
 * {@code scope: cluster} on a real local redis-server, next to the floor (a bare {@code INCR} + {@code DECR}
 * through the same Lettuce client) and the local {@code @LimitJobs}. Targets: at 1 caller within 1.3x the
 * floor's time per call; at 64 callers at least 80 % of the floor's throughput. Run with {@code -prof gc} for
 * the allocation per call. Run by {@link OneCaller} and {@link Callers64}.
 */
@BenchmarkMode({ Mode.AverageTime, Mode.Throughput })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public abstract class ClusterLimitBenchmark {

    private int x = 41;

    @Benchmark
    public long floorIncrDecr(ClusterLimitContext c) {
        return ClusterLimitCalls.incrDecr(c);
    }

    @Benchmark
    public Integer clusterLimit(ClusterLimitContext c) {
        return ClusterLimitCalls.cluster(c, x);
    }

    @Benchmark
    public Integer localLimit(ClusterLimitContext c) {
        return ClusterLimitCalls.local(c, x);
    }

    /** One caller. */
    @Threads(1)
    public static class OneCaller extends ClusterLimitBenchmark {
    }

    /** 64 concurrent callers, all on the same limit and the same Redis. */
    @Threads(64)
    public static class Callers64 extends ClusterLimitBenchmark {
    }
}
