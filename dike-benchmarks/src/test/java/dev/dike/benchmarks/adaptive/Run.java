package dev.dike.benchmarks.adaptive;

import java.util.Arrays;

/**
 * What one simulated run recorded: every admitted call's completion time and latency, the rejections,
 * and the limit every {@link #STEP_MILLIS} ms. Seconds are simulated seconds from the start.
 */
final class Run {

    /** The limit is sampled this often. */
    static final int STEP_MILLIS = 100;

    final Scenario scenario;
    final String contender;
    final double capacityPerSecond;
    final double noLoadMillis;
    private long[] successAt = new long[1024];
    private long[] successLatency = new long[1024];
    private int successes;
    private long[] rejectedAt = new long[1024];
    private int rejections;
    private int failures;
    private final int[] limits;
    private final int[] inFlight;

    Run(Scenario scenario, String contender, Backend.Model model) {
        this.scenario = scenario;
        this.contender = contender;
        this.capacityPerSecond = model.callsPerSecond();
        this.noLoadMillis = model.serviceNanos() / 1e6;
        this.limits = new int[scenario.seconds() * 1000 / STEP_MILLIS + 1];
        this.inFlight = new int[limits.length];
    }

    void success(long atNanos, long latencyNanos) {
        if (successes == successAt.length) {
            successAt = Arrays.copyOf(successAt, successes * 2);
            successLatency = Arrays.copyOf(successLatency, successes * 2);
        }
        successAt[successes] = atNanos;
        successLatency[successes++] = latencyNanos;
    }

    void failure() {
        failures++;
    }

    void rejected(long atNanos) {
        if (rejections == rejectedAt.length) {
            rejectedAt = Arrays.copyOf(rejectedAt, rejections * 2);
        }
        rejectedAt[rejections++] = atNanos;
    }

    void step(int index, int limit, int calls) {
        limits[index] = limit;
        inFlight[index] = calls;
    }

    /** @return the limit at each step, {@link #STEP_MILLIS} ms apart */
    int[] limits() {
        return limits.clone();
    }

    /** @return the limit at {@code second} */
    int limitAt(double second) {
        return limits[Math.min(limits.length - 1, (int) Math.round(second * 1000 / STEP_MILLIS))];
    }

    /** @return the mean of the limit's samples in [from, to) */
    double meanLimit(double from, double to) {
        double sum = 0;
        int n = 0;
        for (double second = from; second < to; second += STEP_MILLIS / 1000.0) {
            sum += limitAt(second);
            n++;
        }
        return sum / n;
    }

    /** @return successful calls per second in [from, to), as a fraction of the backend's full capacity */
    double goodput(double from, double to) {
        return count(successAt, successes, from, to) / (to - from) / capacityPerSecond;
    }

    /** @return calls rejected in [from, to) as a fraction of the calls offered then */
    double rejectionRate(double from, double to) {
        double rejected = count(rejectedAt, rejections, from, to);
        double offered = rejected + count(successAt, successes, from, to);
        return offered == 0 ? 0.0 : rejected / offered;
    }

    /** @return the number of calls rejected in [from, to) */
    long rejected(double from, double to) {
        return count(rejectedAt, rejections, from, to);
    }

    /** @return the given percentile (0..100) of successful calls' latency in [from, to), in ms */
    double latencyMillis(double percentile, double from, double to) {
        long[] window = new long[successes];
        int n = 0;
        for (int i = 0; i < successes; i++) {
            double second = successAt[i] / 1e9;
            if (second >= from && second < to) {
                window[n++] = successLatency[i];
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        Arrays.sort(window, 0, n);
        return window[Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1)] / 1e6;
    }

    /** @return the number of calls that failed */
    int failures() {
        return failures;
    }

    private static long count(long[] times, int size, double from, double to) {
        long count = 0;
        for (int i = 0; i < size; i++) {
            double second = times[i] / 1e9;
            if (second >= from && second < to) {
                count++;
            }
        }
        return count;
    }
}
