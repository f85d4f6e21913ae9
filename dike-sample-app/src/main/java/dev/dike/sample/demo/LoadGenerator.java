package dev.dike.sample.demo;

import dev.dike.sample.Price;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Sends {@code GET /prices/{sku}} requests to the service on localhost at a fixed rate, whatever the
 * answers take (an open loop, as independent users would), for a bounded time.
 */
final class LoadGenerator implements AutoCloseable {

    private static final long TICK_MILLIS = 10;

    private final DemoProperties settings;
    private final ConnectionProvider connections;
    private final WebClient client;

    LoadGenerator(int port, DemoProperties settings) {
        this.settings = settings;
        this.connections = ConnectionProvider.builder("load-demo")
                .maxConnections(settings.maxInFlight())
                .pendingAcquireMaxCount(-1)
                .build();
        this.client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .baseUrl("http://127.0.0.1:" + port)
                .build();
    }

    /**
     * Starts sending {@code rate} requests per second; returns at once.
     *
     * @param batched  the {@code batching} query parameter of every request
     * @param rate     requests per second
     * @param duration how long to send
     * @return the run, whose {@link LoadRun#done()} completes once every request is answered
     */
    LoadRun start(boolean batched, int rate, Duration duration) {
        long ticks = duration.toMillis() / TICK_MILLIS;
        LoadRun run = new LoadRun(batched, duration,
                (int) Math.min(Integer.MAX_VALUE - 8, requestsBefore(ticks, rate)));
        Flux.interval(Duration.ofMillis(TICK_MILLIS))
                .take(ticks)
                .doOnNext(tick -> {
                    for (long i = requestsBefore(tick, rate); i < requestsBefore(tick + 1, rate); i++) {
                        send(run);
                    }
                })
                .doFinally(signal -> run.sendingEnded())
                .subscribe();
        return run;
    }

    /** Spreads the rate evenly over the ticks, so that any rate is met exactly over a second. */
    private static long requestsBefore(long tick, int rate) {
        return tick * rate * TICK_MILLIS / 1000;
    }

    private void send(LoadRun run) {
        if (!run.tryStartRequest(settings.maxInFlight())) {
            return;
        }
        String sku = "SKU-" + ThreadLocalRandom.current().nextInt(settings.skus());
        long start = System.nanoTime();
        client.get()
                .uri("/prices/{sku}?batching={batching}", sku, run.batched())
                .exchangeToMono(response -> response.statusCode().value() == 200
                        ? response.bodyToMono(Price.class).map(price -> 200)
                        : response.releaseBody().thenReturn(response.statusCode().value()))
                .defaultIfEmpty(-1)
                .timeout(settings.requestTimeout())
                .doFinally(signal -> run.requestEnded())
                .subscribe(status -> run.answered(status, System.nanoTime() - start), error -> {
                    if (error instanceof TimeoutException) {
                        run.timedOut();
                    } else {
                        run.failed();
                    }
                });
    }

    /** Closes the connections; requests still in flight fail. */
    @Override
    public void close() {
        connections.dispose();
    }
}
