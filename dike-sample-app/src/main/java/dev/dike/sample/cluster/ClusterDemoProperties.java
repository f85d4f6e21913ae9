package dev.dike.sample.cluster;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The cluster demo's settings, from {@code sample.cluster-demo.*}.
 *
 * @param callers             concurrent callers on this instance, each sending one request at a time
 * @param duration            how long the callers send, up to 10 minutes
 * @param pauseAfterRejection how long a caller waits after an answer other than 200 (a client backing
 *                            off), so that rejected callers do not spin
 * @param requestTimeout      how long one request may take before it counts as failed
 */
@ConfigurationProperties("sample.cluster-demo")
public record ClusterDemoProperties(
        @DefaultValue("24") int callers,
        @DefaultValue("60s") Duration duration,
        @DefaultValue("100ms") Duration pauseAfterRejection,
        @DefaultValue("10s") Duration requestTimeout) {

    /** Checks every value, naming the property that is wrong. */
    public ClusterDemoProperties {
        require(callers >= 1 && callers <= 1_000, "sample.cluster-demo.callers must be between 1 and 1000, got " + callers);
        require(duration.compareTo(Duration.ZERO) > 0 && duration.compareTo(Duration.ofMinutes(10)) <= 0,
                "sample.cluster-demo.duration must be between 0 (excluded) and 10m, got " + duration);
        require(!pauseAfterRejection.isNegative(),
                "sample.cluster-demo.pause-after-rejection must be at least 0, got " + pauseAfterRejection);
        require(requestTimeout.compareTo(Duration.ZERO) > 0,
                "sample.cluster-demo.request-timeout must be greater than 0, got " + requestTimeout);
    }

    private static void require(boolean valid, String message) {
        if (!valid) {
            throw new IllegalArgumentException(message);
        }
    }
}
