package dev.dike.benchmarks.batching;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Draws keys {@code 0..n-1} with a Zipf distribution: key {@code k} has weight {@code 1 / (k+1)^s},
 * so a few keys are hot, as SKUs are in real traffic. Immutable and thread-safe; draws use the
 * calling thread's {@link ThreadLocalRandom}.
 */
public final class Zipf {

    private final double[] cumulative;

    /**
     * @param n        number of keys, at least 1
     * @param exponent skew {@code s}, at least 0 (0 is uniform; 1 is the classic Zipf law)
     */
    public Zipf(int n, double exponent) {
        if (n < 1 || exponent < 0) {
            throw new IllegalArgumentException("Invalid Zipf n=" + n + ", exponent=" + exponent
                    + ": n must be at least 1 and the exponent at least 0");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int key = 0; key < n; key++) {
            sum += 1 / Math.pow(key + 1, exponent);
            cumulative[key] = sum;
        }
        for (int key = 0; key < n; key++) {
            cumulative[key] /= sum;
        }
    }

    /** @return the next key, {@code 0..n-1} */
    public int next() {
        double u = ThreadLocalRandom.current().nextDouble();
        int index = Arrays.binarySearch(cumulative, u);
        return Math.min(index >= 0 ? index : -index - 1, cumulative.length - 1);
    }
}
