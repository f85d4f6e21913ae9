package dev.dike.sample.cluster;

import dev.dike.sample.Http;
import dev.dike.sample.SampleApplication;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.dike.sample.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the sample in one JVM, each with its own application context, port and Redis
 * connection, in the {@code cluster} profile: the first starts the embedded redis-server
 * ({@code sample.redis.embedded=true}), the second connects to it and calls the first one's backend.
 * Both run the cluster demo at the same time, so both load their own {@code GET /prices} over real
 * HTTP, with fewer callers than the limit each but more together. The backend counts the calls in
 * flight where they arrive from both instances: that count reaches the limit and never exceeds it
 * (with {@code scope: local} it reaches every caller, 30). Each actuator shows the cluster state, and
 * Redis holds no lease once the load is over.
 */
class TwoInstancesShareOneLimitTest {

    /** {@code dike.limit.instances.prices.limit} in application-cluster.yml. */
    private static final int LIMIT = 20;
    /** Under the limit on each instance, over it together: only a limit shared by both holds them to 20. */
    private static final int CALLERS_PER_INSTANCE = 15;
    private static final String LEASES_KEY = "dike:{dike-sample-app}:limit:prices:leases";

    @Test
    void twoInstancesUnderLoadNeverHaveMoreThanTheClusterLimitInFlightAtTheBackend() throws Exception {
        int redisPort = freePort();
        try (ConfigurableApplicationContext first = start(redisPort, "--sample.redis.embedded=true");
             ConfigurableApplicationContext second = start(redisPort,
                     "--sample.inventory.url=http://127.0.0.1:" + port(first) + "/backend")) {
            Flux.merge(warmUp(first), warmUp(second)).blockLast(Http.TIMEOUT);
            ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();
            ByteArrayOutputStream secondOutput = new ByteArrayOutputStream();

            CompletableFuture<ClusterDemo.Result> firstRun = runDemo(first, firstOutput);
            CompletableFuture<ClusterDemo.Result> secondRun = runDemo(second, secondOutput);
            ClusterDemo.Result firstResult = firstRun.get(60, TimeUnit.SECONDS);
            ClusterDemo.Result secondResult = secondRun.get(60, TimeUnit.SECONDS);

            String outputs = firstOutput.toString(StandardCharsets.UTF_8) + secondOutput.toString(StandardCharsets.UTF_8);
            BackendInFlight.Load backend = Http.client(port(first)).get().uri("/backend/in-flight").retrieve()
                    .bodyToMono(BackendInFlight.Load.class).block(Http.TIMEOUT);
            assertThat(backend.peak()).as("calls in flight at once at the backend, from both instances%n%s", outputs)
                    .isLessThanOrEqualTo(LIMIT)
                    .as("the load reached the limit%n%s", outputs).isGreaterThan(LIMIT / 2);
            assertThat(backend.inFlight()).isZero();
            assertThat(firstResult.rejected() + secondResult.rejected()).as("answered 503%n%s", outputs).isPositive();
            assertThat(List.of(firstResult, secondResult)).as(outputs).allSatisfy(result -> {
                assertThat(result.succeeded()).as("answered 200").isPositive();
                assertThat(result.failed()).as("failed").isZero();
                assertThat(result.mostInFlightInCluster()).as("cluster total seen").isBetween(1, LIMIT);
            });
            assertThat(outputs).contains("Cluster demo, pid", "limit 20 in flight across the cluster",
                    "time  here  cluster  alive", "Load done:", "Backend: at most");

            for (ConfigurableApplicationContext instance : List.of(first, second)) {
                Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    Map<String, Object> prices = limiter(instance);
                    assertThat(prices).containsEntry("limit", LIMIT).containsEntry("inFlight", 0);
                    assertThat(cluster(prices)).containsEntry("instancesAlive", 2).containsEntry("fallback", false)
                            .containsEntry("leaseTime", "PT10S").containsEntry("namespace", "dike-sample-app")
                            .containsEntry("onUnavailable", "local").containsKey("clusterInFlight");
                });
            }
            StringRedisTemplate redis = first.getBean(StringRedisTemplate.class);
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(redis.opsForZSet().zCard(LEASES_KEY)).as("leases left in Redis").isZero());
        }
    }

    /** A few requests first, so that the demo's short load does not go into starting up the request path. */
    private static Flux<?> warmUp(ConfigurableApplicationContext instance) {
        WebClient client = Http.client(port(instance));
        return Flux.range(0, 4).flatMap(i -> client.get().uri("/prices/SKU-{i}?batching=false", i).retrieve()
                .toBodilessEntity()
                .onErrorResume(WebClientResponseException.ServiceUnavailable.class, rejected -> Mono.empty()));
    }

    private static CompletableFuture<ClusterDemo.Result> runDemo(ConfigurableApplicationContext instance,
                                                                ByteArrayOutputStream output) {
        ClusterDemo demo = instance.getBean(ClusterDemo.class);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return demo.run(new PrintStream(output, true, StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** @return {@code limiters.prices} of {@code GET /actuator/dike/prices} */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> limiter(ConfigurableApplicationContext instance) {
        Map<String, Object> body = Http.client(port(instance)).get().uri("/actuator/dike/prices").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
                })
                .block(Http.TIMEOUT);
        return (Map<String, Object>) ((Map<String, Object>) body.get("limiters")).get("prices");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cluster(Map<String, Object> limiter) {
        return (Map<String, Object>) limiter.get("cluster");
    }

    private static ConfigurableApplicationContext start(int redisPort, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.data.redis.port=" + redisPort,
                "--sample.cluster-demo.callers=" + CALLERS_PER_INSTANCE, "--sample.cluster-demo.duration=2s",
                "--logging.level.dev.dike.retry=ERROR",
                "--sample.cluster-demo.request-timeout=30s",
                // Almost all of a permit's time goes into the backend call (long, not queued behind a few workers,
                // never failing), so that the permits held all meet at the backend, even on a busy machine.
                "--sample.backend.latency=3s", "--sample.backend.workers=64", "--sample.backend.failure-rate=0"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(SampleApplication.class).profiles("cluster").run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext instance) {
        return instance.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }
}
