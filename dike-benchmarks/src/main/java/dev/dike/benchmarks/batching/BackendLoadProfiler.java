package dev.dike.benchmarks.batching;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JMH profiler ({@code -prof dev.dike.benchmarks.batching.BackendLoadProfiler}) that adds the
 * {@link SimulatedBackend}'s load per request to each iteration's results, as the secondary metrics
 * {@value #CALLS} and {@value #ROWS}, so they land in JMH's JSON next to the time per call and the
 * report can print them. A benchmark {@linkplain #record records} its iteration's figures when the
 * iteration ends ({@code @TearDown(Level.Iteration)}, which JMH runs before the profiler's
 * {@link #afterIteration}); an iteration that recorded nothing adds nothing, so the profiler can be
 * given to a whole suite. Runs in the forked JVM, where the benchmark runs.
 */
public final class BackendLoadProfiler implements InternalProfiler {

    /** Secondary metric: backend calls per request. */
    public static final String CALLS = "backend.calls.per.request";
    /** Secondary metric: rows (items) the backend looked up per request. */
    public static final String ROWS = "backend.rows.per.request";

    private static final AtomicReference<Load> LAST = new AtomicReference<>();

    /**
     * Records the backend load of the iteration that is ending.
     *
     * @param requests requests served in the iteration
     * @param calls    backend calls in the iteration
     * @param rows     rows the backend looked up in the iteration
     */
    public static void record(long requests, long calls, long rows) {
        if (requests > 0) {
            LAST.set(new Load(calls / (double) requests, rows / (double) requests));
        }
    }

    @Override
    public String getDescription() {
        return "Simulated backend calls and rows per request (dike end-to-end benchmark)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        LAST.set(null); // nothing left over from an earlier benchmark in the same JVM (forks = 0)
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        Load load = LAST.getAndSet(null);
        if (load == null) {
            return List.of();
        }
        return List.of(new ScalarResult(CALLS, load.callsPerRequest, "calls/request", AggregationPolicy.AVG),
                new ScalarResult(ROWS, load.rowsPerRequest, "rows/request", AggregationPolicy.AVG));
    }

    private record Load(double callsPerRequest, double rowsPerRequest) {
    }
}
