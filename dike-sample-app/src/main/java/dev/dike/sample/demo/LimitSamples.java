package dev.dike.sample.demo;

/**
 * The limit in force of {@code @LimitJobs prices}, sampled from the {@code dike.limit.limit} gauge
 * while a phase runs. Written by the demo's sampling thread, read once the phase is over.
 */
final class LimitSamples {

    private int count;
    private double sum;
    private double min = Double.NaN;
    private double max = Double.NaN;
    private double last = Double.NaN;

    synchronized void add(double limit) {
        if (Double.isNaN(limit)) {
            return;
        }
        count++;
        sum += limit;
        min = count == 1 ? limit : Math.min(min, limit);
        max = count == 1 ? limit : Math.max(max, limit);
        last = limit;
    }

    /** @return the mean of the samples; NaN without any */
    synchronized double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    synchronized double min() {
        return min;
    }

    synchronized double max() {
        return max;
    }

    /** @return the latest sample: the limit at the phase's end; NaN without any */
    synchronized double last() {
        return last;
    }
}
