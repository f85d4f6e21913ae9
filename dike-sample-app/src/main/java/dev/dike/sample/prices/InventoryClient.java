package dev.dike.sample.prices;

import dev.dike.annotation.Retry;
import dev.dike.sample.Price;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.util.List;

/**
 * Calls the inventory backend's bulk lookup over HTTP, with {@code @Retry} around each call: an
 * HTTP 503 becomes a {@link BackendUnavailableException}, which the retry configuration named
 * {@code inventory} retries with backoff, within its retry budget. Its cause is Spring's
 * {@code WebClientResponseException}, from which dike reads the 503's {@code Retry-After}: the next
 * attempt waits at least that long.
 */
@Component
public class InventoryClient implements DisposableBean {

    private static final ParameterizedTypeReference<List<Price>> PRICE_LIST = new ParameterizedTypeReference<>() {
    };

    // Without batching, every request in flight holds its own backend call; the @LimitJobs limit
    // bounds them, so the pool never needs to make callers wait for a connection.
    private static final int MAX_CONNECTIONS = 1_000;
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionProvider connections;
    private final WebClient.Builder builder;
    private final String configuredUrl;
    private volatile WebClient webClient;

    /**
     * @param builder       Boot's web client builder
     * @param configuredUrl {@code sample.inventory.url}: the backend to call, e.g. another instance's
     *                      {@code http://127.0.0.1:8081/backend}; empty (the default) for this application's own
     */
    InventoryClient(WebClient.Builder builder, @Value("${sample.inventory.url:}") String configuredUrl) {
        this.configuredUrl = configuredUrl;
        this.connections = ConnectionProvider.builder("inventory-backend")
                .maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(-1)
                .build();
        HttpClient httpClient = HttpClient.create(connections).responseTimeout(RESPONSE_TIMEOUT);
        this.builder = builder.clone().clientConnector(new ReactorClientHttpConnector(httpClient));
    }

    /**
     * Points the client at {@code sample.inventory.url}, or at the backend on this application's own
     * port, once the port is known.
     *
     * @param event the web server's start
     */
    @EventListener
    void onWebServerInitialized(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            webClient = builder.baseUrl(configuredUrl.isBlank()
                    ? "http://127.0.0.1:" + event.getWebServer().getPort() + "/backend" : configuredUrl).build();
        }
    }

    /**
     * Looks prices up in one bulk call: {@code POST /backend/prices}. Each retry calls this method
     * again, which builds a new request.
     *
     * @param skus the articles
     * @return their prices, in the same order
     */
    @Retry(name = "inventory")
    public Mono<List<Price>> fetchPrices(List<String> skus) {
        WebClient client = webClient;
        if (client == null) {
            return Mono.error(new IllegalStateException("The web server has not started yet"));
        }
        return client.post()
                .uri("/prices")
                .bodyValue(skus)
                .retrieve()
                // Spring's exception keeps the response's headers; as the cause, dike reads its Retry-After.
                .onStatus(status -> status.value() == 503, response -> response.createException()
                        .map(unavailable -> new BackendUnavailableException(skus.size(), unavailable)))
                .bodyToMono(PRICE_LIST)
                .map(prices -> requireOnePerSku(skus, prices));
    }

    private static List<Price> requireOnePerSku(List<String> skus, List<Price> prices) {
        if (prices.size() != skus.size()) {
            throw new IllegalStateException(
                    "Inventory backend returned " + prices.size() + " prices for " + skus.size() + " SKUs");
        }
        return prices;
    }

    @Override
    public void destroy() {
        connections.dispose();
    }
}
