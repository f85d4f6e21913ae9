package dev.dike.sample.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The load demo's settings, from {@code sample.demo.*}.
 *
 * @param rate            requests per second sent by each phase, 1 to 20000
 * @param duration        how long each phase sends, up to 60 seconds
 * @param warmup          how long each mode is exercised, unreported, before the phases
 * @param skus            how many distinct SKUs the requests pick from at random
 * @param maxInFlight     requests the demo keeps in flight at most; beyond, it skips sending
 * @param requestTimeout  how long one request may take before it counts as failed
 */
@ConfigurationProperties("sample.demo")
public record DemoProperties(
        @DefaultValue("1000") int rate,
        @DefaultValue("5s") Duration duration,
        @DefaultValue("1s") Duration warmup,
        @DefaultValue("1000") int skus,
        @DefaultValue("2000") int maxInFlight,
        @DefaultValue("10s") Duration requestTimeout) {

    /** Checks every value, naming the property that is wrong. */
    public DemoProperties {
        require(rate >= 1 && rate <= 20_000, "sample.demo.rate must be between 1 and 20000, got " + rate);
        require(!duration.isNegative() && duration.compareTo(Duration.ofSeconds(60)) <= 0,
                "sample.demo.duration must be between 0 and 60s, got " + duration);
        require(!warmup.isNegative() && warmup.compareTo(Duration.ofSeconds(60)) <= 0,
                "sample.demo.warmup must be between 0 and 60s, got " + warmup);
        require(skus >= 1, "sample.demo.skus must be at least 1, got " + skus);
        require(maxInFlight >= 1, "sample.demo.max-in-flight must be at least 1, got " + maxInFlight);
        require(requestTimeout.compareTo(Duration.ZERO) > 0,
                "sample.demo.request-timeout must be greater than 0, got " + requestTimeout);
    }

    private static void require(boolean valid, String message) {
        if (!valid) {
            throw new IllegalArgumentException(message);
        }
    }
}
