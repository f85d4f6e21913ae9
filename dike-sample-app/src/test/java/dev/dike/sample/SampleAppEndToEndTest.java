package dev.dike.sample;

import dev.dike.sample.backend.BackendProperties;
import dev.dike.sample.backend.BackendStats;
import dev.dike.sample.backend.InventoryBackend;
import dev.dike.sample.backend.PriceCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app through real HTTP: batching, retries, load shedding and metrics, each checked
 * from the outside and against the backend's own counts.
 */
@SampleAppTest
class SampleAppEndToEndTest {

    private static final Duration NORMAL_LATENCY = Duration.ofMillis(20);

    @LocalServerPort
    int port;

    @Autowired
    BackendProperties backendSettings;

    @Autowired
    InventoryBackend backend;

    WebClient client;

    @BeforeEach
    void setUp() {
        client = Http.client(port);
        backendSettings.setFailureRate(Double.parseDouble(SampleAppTest.FAILURE_RATE));
        backendSettings.setLatency(NORMAL_LATENCY);
    }

    @AfterEach
    void restoreBackend() {
        setUp();
    }

    @Test
    void concurrentLookupsShareBackendCallsAndEveryCallerGetsItsOwnPrice() {
        int requests = 200;
        BackendStats before = backend.stats();

        List<ResponseEntity<Price>> answers = Flux.range(0, requests)
                .flatMap(i -> get("/prices/SKU-" + i), SampleAppTest.BATCH_SIZE)
                .collectList()
                .block(Http.TIMEOUT);

        assertThat(answers).hasSize(requests).allSatisfy(answer -> {
            assertThat(answer.getStatusCode().value()).isEqualTo(200);
            Price price = answer.getBody();
            assertThat(price).isEqualTo(PriceCatalog.priceOf(price.sku()));
        });
        assertThat(answers).extracting(answer -> answer.getBody().sku()).doesNotHaveDuplicates();
        BackendStats during = backend.stats().since(before);
        assertThat(during.calls()).as("backend calls for %d requests: %s", requests, during).isLessThan(requests);
        assertThat(during.calls() - during.failures()).as("successful backend calls").isLessThan(requests / 2);
    }

    @Test
    void backendFailuresAreRetriedAndHiddenFromCallers() {
        BackendStats before = backend.stats();
        double retriedBefore = retrySample("success_with_retry");

        // Failures are random: send rounds until some were injected (0.7^10 per round of 10 calls
        // that none is), so that chance cannot decide whether this test checks anything.
        BackendStats during = new BackendStats(0, 0, 0, 0);
        for (int round = 0; round < 20 && during.failures() == 0; round++) {
            int first = round * 100;
            List<ResponseEntity<Price>> answers = Flux.range(first, 100)
                    .flatMap(i -> get("/prices/RETRY-" + i), SampleAppTest.BATCH_SIZE)
                    .collectList()
                    .block(Http.TIMEOUT);
            assertThat(answers).allSatisfy(answer -> assertThat(answer.getStatusCode().value()).isEqualTo(200));
            during = backend.stats().since(before);
        }

        assertThat(during.failures()).as("backend failures injected: %s", during).isPositive();
        assertThat(retrySample("success_with_retry") - retriedBefore)
                .as("dike_retry_calls_total{name=\"inventory\",outcome=\"success_with_retry\"} increase")
                .isPositive();
    }

    @Test
    void withoutBatchingEveryLookupMakesItsOwnBackendCall() {
        backendSettings.setFailureRate(0);
        BackendStats before = backend.stats();

        List<ResponseEntity<Price>> answers = Flux.range(0, 20)
                .flatMap(i -> get("/prices/SOLO-" + i + "?batching=false"), 5)
                .collectList()
                .block(Http.TIMEOUT);

        assertThat(answers).allSatisfy(answer -> assertThat(answer.getStatusCode().value()).isEqualTo(200));
        BackendStats during = backend.stats().since(before);
        assertThat(List.of(during.calls(), during.items(), during.failures())).containsExactly(20L, 20L, 0L);
    }

    @Test
    void requestsBeyondTheLimitAreRejectedAtOnceWithProblemDetails() {
        // A slow backend holds the first LIMIT requests' permits for seconds; all 60 arrive meanwhile.
        backendSettings.setFailureRate(0);
        backendSettings.setLatency(Duration.ofSeconds(2));
        int requests = 3 * SampleAppTest.LIMIT;

        List<ResponseEntity<String>> answers = Flux.range(0, requests)
                .flatMap(i -> client.get().uri("/prices/BUSY-" + i)
                        .exchangeToMono(response -> response.toEntity(String.class)), requests)
                .collectList()
                .block(Http.TIMEOUT);

        List<ResponseEntity<String>> rejected = answers.stream()
                .filter(answer -> answer.getStatusCode().value() == 503).toList();
        long succeeded = answers.stream().filter(answer -> answer.getStatusCode().value() == 200).count();
        assertThat(succeeded + rejected.size()).as("only 200 and 503 answers").isEqualTo(requests);
        assertThat(succeeded).isBetween(1L, (long) requests - 1);
        assertThat(rejected).isNotEmpty().allSatisfy(answer -> {
            assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(answer.getBody()).contains("\"status\":503").contains("Too many calls to prices");
        });
        assertThat(Http.sample(prometheus(), "dike_limit_calls_total", "name=\"prices\"", "outcome=\"rejected\""))
                .isGreaterThanOrEqualTo(rejected.size());
    }

    @Test
    void metricsOfEveryInstanceAppearInPrometheusAndTheDikeEndpoint() {
        Flux.range(0, 20).flatMap(i -> get("/prices/METRIC-" + i), SampleAppTest.BATCH_SIZE).blockLast(Http.TIMEOUT);

        String prometheus = prometheus();
        assertThat(Http.sample(prometheus, "dike_retry_calls_total", "name=\"inventory\"")).isPositive();
        assertThat(Http.sample(prometheus, "dike_limit_calls_total", "name=\"prices\"", "outcome=\"permitted\""))
                .isPositive();
        assertThat(Http.sample(prometheus, "dike_batch_size_rows_count", "name=\"price-lookups\"")).isPositive();
        assertThat(Http.sample(prometheus, "sample_backend_calls_total", "outcome=\"success\"")).isPositive();

        String dike = client.get().uri("/actuator/dike").retrieve().bodyToMono(String.class).block(Http.TIMEOUT);
        assertThat(dike).contains("\"prices\"", "\"price-lookups\"", "\"inventory\"");
        String batchSize = client.get().uri("/actuator/metrics/dike.batch.size").retrieve()
                .bodyToMono(String.class).block(Http.TIMEOUT);
        assertThat(batchSize).contains("\"name\":\"dike.batch.size\"");
    }

    /**
     * Every series the Grafana dashboard of docs/ queries exists in the live scrape, with every label
     * the query selects or groups by ({@code job} is added by Prometheus itself).
     */
    @Test
    void everyGrafanaDashboardQueryFindsItsSeries() throws IOException {
        Flux.range(0, 100).flatMap(i -> get("/prices/DASHBOARD-" + i), SampleAppTest.BATCH_SIZE)
                .blockLast(Http.TIMEOUT);
        String prometheus = prometheus();
        String dashboard = Files.readString(Path.of("..", "docs", "grafana-dashboard.json"));

        List<String> queries = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard)
                .results().map(match -> match.group(1).replace("\\\"", "\"")).toList();
        assertThat(queries).as("queries in the dashboard").hasSizeGreaterThan(10);
        for (String query : queries) {
            Matcher series = SERIES.matcher(query);
            assertThat(series.find()).as("a series in %s", query).isTrue();
            String metric = series.group(1);
            List<String> lines = prometheus.lines().filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " ")).toList();
            assertThat(lines).as("samples of %s, queried by %s", metric, query).isNotEmpty();
            Set<String> labels = new TreeSet<>();
            LABEL.matcher(series.group(2)).results().map(match -> match.group(1)).forEach(labels::add);
            GROUPING.matcher(query).results()
                    .forEach(match -> labels.addAll(List.of(match.group(1).split(",\\s*"))));
            labels.remove("job");
            for (String label : labels) {
                assertThat(lines).as("label %s of %s, used by %s", label, metric, query)
                        .anyMatch(line -> line.contains("{" + label + "=\"") || line.contains("," + label + "=\""));
            }
        }
    }

    @Test
    void malformedSkuIsABadRequestWithProblemDetails() {
        ResponseEntity<String> answer = client.get().uri("/prices/{sku}", "no spaces!").exchangeToMono(response ->
                response.toEntity(String.class)).block(Http.TIMEOUT);

        assertThat(answer.getStatusCode().value()).isEqualTo(400);
        assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(answer.getBody()).contains("sku must be");
    }

    /** A series selector: the metric's name and its label matchers. */
    private static final Pattern SERIES = Pattern.compile("([a-z_]+)\\{([^}]*)}");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("by \\(([^)]*)\\)");

    private Mono<ResponseEntity<Price>> get(String path) {
        return client.get().uri(path).retrieve().toEntity(Price.class);
    }

    private String prometheus() {
        return client.get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block(Http.TIMEOUT);
    }

    private double retrySample(String outcome) {
        return Http.sample(prometheus(), "dike_retry_calls_total", "name=\"inventory\"", "outcome=\"" + outcome + "\"");
    }
}
