package dev.dike.sample;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helpers: a client that can hold many requests in flight, and a Prometheus text reader. */
public final class Http {

    /** Generous: the tests' requests take milliseconds, but CI machines are shared. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Http() {
    }

    /**
     * @param port the application's port
     * @return a client for it with enough connections for every test's concurrency
     */
    public static WebClient client(int port) {
        ConnectionProvider connections = ConnectionProvider.builder("test-" + port)
                .maxConnections(200)
                .pendingAcquireMaxCount(-1)
                .build();
        return WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .baseUrl("http://127.0.0.1:" + port)
                .build();
    }

    /**
     * Sums the samples of one metric whose labels include the given ones.
     *
     * @param prometheusText the body of {@code /actuator/prometheus}
     * @param metric         e.g. {@code dike_retry_calls_total}
     * @param labels         e.g. {@code name="inventory"}, each as it appears in the text
     * @return the sum; 0 if no sample matches
     */
    public static double sample(String prometheusText, String metric, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(prometheusText);
        double sum = 0;
        next:
        while (matcher.find()) {
            for (String label : labels) {
                if (!matcher.group(1).contains(label)) {
                    continue next;
                }
            }
            sum += Double.parseDouble(matcher.group(2));
        }
        return sum;
    }
}
