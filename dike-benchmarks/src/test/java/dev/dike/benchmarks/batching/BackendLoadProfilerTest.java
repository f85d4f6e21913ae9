package dev.dike.benchmarks.batching;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What the profiler adds to an iteration's results (the smoke test runs it through JMH). */
class BackendLoadProfilerTest {

    private final BackendLoadProfiler profiler = new BackendLoadProfiler();

    @Test
    void anIterationThatRecordedItsLoadGetsCallsAndRowsPerRequest() {
        profiler.beforeIteration(null, null);
        BackendLoadProfiler.record(1_000, 25, 400);

        Collection<? extends Result> results = profiler.afterIteration(null, null, null);

        assertThat(results).extracting(Result::getLabel, Result::getScore).containsExactly(
                tuple(BackendLoadProfiler.CALLS, 0.025),
                tuple(BackendLoadProfiler.ROWS, 0.4));
        assertThat(profiler.afterIteration(null, null, null)).as("each record is reported once").isEmpty();
    }

    @Test
    void aRecordLeftOverFromAnEarlierBenchmarkOrAnIterationWithoutRequestsAddsNothing() {
        BackendLoadProfiler.record(1_000, 25, 400); // an earlier benchmark in the same JVM, never collected
        profiler.beforeIteration(null, null);
        BackendLoadProfiler.record(0, 0, 0);

        assertThat(profiler.afterIteration(null, null, null)).isEmpty();
    }
}
