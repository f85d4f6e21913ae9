package dev.dike.sample.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The load demo's settings, from {@code sample.demo.*}.
 *
 * @param rate            requests per second of the batching phases, 1 to 20000
 * @param duration        how long each phase sends, up to 60 seconds (the outage phase: after the outage)
 * @param warmup          how long each service and mode is exercised, unreported, before its phases
 * @param skus            how many distinct SKUs the requests pick from at random
 * @param maxInFlight     requests the demo keeps in flight at most; beyond, it skips sending
 * @param requestTimeout  how long one request may take before it counts as failed
 * @param phases          which comparisons to run, in this order: {@code batching} (on and off),
 *                        {@code capacity} (the backend's capacity halves: fixed and adaptive limit),
 *                        {@code outage} (the backend fails every call: with and without retry budget)
 * @param capacityRate    requests per second of the capacity phases, sent without batching, 1 to 20000
 * @param capacityWorkers the backend's workers at the start of each capacity run, halved for its
 *                        second phase; at least 2
 * @param outageRate      requests per second of the outage phases, sent without batching, 1 to 20000
 * @param outage          how long the backend fails every call in the outage phases, up to 60 seconds
 */
@ConfigurationProperties("sample.demo")
public record DemoProperties(
        @DefaultValue("1000") int rate,
        @DefaultValue("5s") Duration duration,
        @DefaultValue("1s") Duration warmup,
        @DefaultValue("1000") int skus,
        @DefaultValue("2000") int maxInFlight,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue({"batching", "capacity", "outage"}) List<String> phases,
        @DefaultValue("600") int capacityRate,
        @DefaultValue("8") int capacityWorkers,
        @DefaultValue("300") int outageRate,
        @DefaultValue("3s") Duration outage) {

    /** The comparisons the demo knows, by their name in {@code sample.demo.phases}. */
    static final Set<String> PHASES = Set.of("batching", "capacity", "outage");

    /** Checks every value, naming the property that is wrong. */
    public DemoProperties {
        requireRate("sample.demo.rate", rate);
        requireUpToAMinute("sample.demo.duration", duration);
        requireUpToAMinute("sample.demo.warmup", warmup);
        require(skus >= 1, "sample.demo.skus must be at least 1, got " + skus);
        require(maxInFlight >= 1, "sample.demo.max-in-flight must be at least 1, got " + maxInFlight);
        require(requestTimeout.compareTo(Duration.ZERO) > 0,
                "sample.demo.request-timeout must be greater than 0, got " + requestTimeout);
        phases = List.copyOf(phases);
        require(PHASES.containsAll(phases),
                "sample.demo.phases must list some of batching, capacity, outage, got " + phases);
        requireRate("sample.demo.capacity-rate", capacityRate);
        require(capacityWorkers >= 2, "sample.demo.capacity-workers must be at least 2, got " + capacityWorkers);
        requireRate("sample.demo.outage-rate", outageRate);
        requireUpToAMinute("sample.demo.outage", outage);
    }

    /**
     * @param phase one of {@link #PHASES}
     * @return whether the demo runs that comparison
     */
    boolean runs(String phase) {
        return phases.contains(phase);
    }

    private static void requireRate(String property, int rate) {
        require(rate >= 1 && rate <= 20_000, property + " must be between 1 and 20000, got " + rate);
    }

    private static void requireUpToAMinute(String property, Duration duration) {
        require(!duration.isNegative() && duration.compareTo(Duration.ofSeconds(60)) <= 0,
                property + " must be between 0 and 60s, got " + duration);
    }

    private static void require(boolean valid, String message) {
        if (!valid) {
            throw new IllegalArgumentException(message);
        }
    }
}
