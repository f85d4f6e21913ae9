package dev.dike.benchmarks.report;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * One row of a JMH JSON result file.
 *
 * @param benchmark   the benchmark's name without the package, e.g. {@code CoreLimiterBenchmark.OneThread.casPair}
 * @param mode        JMH's short name of the benchmark mode: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param threads     the number of threads that ran it
 * @param params      the {@code @Param} values, by name
 * @param score       the primary score
 * @param error       the half-width of the primary score's 99.9% confidence interval (NaN when unknown)
 * @param unit        the primary score's unit, e.g. {@code ns/op}
 * @param percentiles sample-time percentiles by percent ("50.0", "99.0"), empty in other modes
 * @param secondary   the scores of the secondary metrics (profilers' results), by name without JMH's
 *                    middle-dot prefix, e.g. {@code gc.alloc.rate.norm}
 */
public record JmhResult(String benchmark, String mode, int threads, Map<String, String> params, double score,
                        double error, String unit, Map<String, Double> percentiles, Map<String, Double> secondary) {

    /** Name of {@code -prof gc}'s bytes allocated per operation. */
    static final String ALLOCATION = "gc.alloc.rate.norm";

    /** @return the part of {@link #benchmark()} before the method name, e.g. {@code CoreLimiterBenchmark.OneThread} */
    public String group() {
        return benchmark.substring(0, benchmark.lastIndexOf('.'));
    }

    /** @return the benchmark method's name */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * @param percent e.g. 99
     * @return that percentile, if this is a sample-time result
     */
    public OptionalDouble percentile(double percent) {
        Double value = percentiles.get(Double.toString(percent));
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * @param name a secondary metric's name, e.g. {@code gc.alloc.rate.norm}
     * @return its score, or NaN when the run did not record it
     */
    public double secondary(String name) {
        Double value = secondary.get(name);
        return value == null ? Double.NaN : value;
    }

    /** @return {@code gc.alloc.rate.norm} when the run used {@code -prof gc}, else NaN */
    public double allocatedBytesPerOp() {
        return secondary(ALLOCATION);
    }
}
