package dev.dike.sample.cluster;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cluster demo's load on one instance: a fixed number of callers, each sending
 * {@code GET /prices/{sku}?batching=false} to this instance one request at a time (a closed loop),
 * until the duration has passed. Unbatched, so that each request holding a permit makes exactly one
 * backend call, and the backend's in-flight count can be compared with the limit. After an answer
 * other than 200 a caller pauses, as a client backing off would. Counts are lock-free adders, read
 * from any thread.
 */
final class ClusterLoad implements AutoCloseable {

    private static final int SKUS = 1_000;

    private final ClusterDemoProperties settings;
    private final ConnectionProvider connections;
    private final WebClient client;
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();

    ClusterLoad(int port, ClusterDemoProperties settings) {
        this.settings = settings;
        this.connections = ConnectionProvider.builder("cluster-demo")
                .maxConnections(settings.callers())
                .pendingAcquireMaxCount(-1)
                .build();
        this.client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .baseUrl("http://127.0.0.1:" + port)
                .build();
    }

    /**
     * Starts every caller; returns at once.
     *
     * @return completed once the duration has passed and every caller has its last answer
     */
    CompletableFuture<Void> start() {
        long deadline = System.nanoTime() + settings.duration().toNanos();
        return Flux.range(0, settings.callers())
                .flatMap(caller -> Mono.defer(this::request).repeat(() -> System.nanoTime() - deadline < 0),
                        settings.callers())
                .then()
                .toFuture();
    }

    private Mono<Integer> request() {
        String sku = "SKU-" + ThreadLocalRandom.current().nextInt(SKUS);
        return client.get()
                .uri("/prices/{sku}?batching=false", sku)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .timeout(settings.requestTimeout())
                .onErrorReturn(-1)
                .flatMap(status -> {
                    if (status == 200) {
                        succeeded.increment();
                        return Mono.just(status);
                    }
                    (status == 503 ? rejected : failed).increment();
                    return Mono.delay(settings.pauseAfterRejection()).thenReturn(status);
                });
    }

    /** @return requests answered 200 so far */
    long succeeded() {
        return succeeded.sum();
    }

    /** @return requests answered 503 (rejected by the limit) so far */
    long rejected() {
        return rejected.sum();
    }

    /** @return requests answered otherwise, or not at all in time, so far */
    long failed() {
        return failed.sum();
    }

    /** Closes the connections; requests still in flight fail. */
    @Override
    public void close() {
        connections.dispose();
    }
}
