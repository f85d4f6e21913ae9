package dev.dike.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.dike.retry.ReactorRetry;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;
import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Server pushback end to end: a real HTTP server on a random port answers the first request with 503
 * and a {@code Retry-After} (delta-seconds, or an HTTP-date), the next with 200; WebClient and
 * RestClient calls retried by a {@link Retrier} wait exactly what the server asked, on a virtual clock
 * (nothing sleeps), and a Retry-After longer than the maximum stops the retries at once.
 */
class HttpRetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-02T16:00:00Z");

    private final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String retryAfter = "1";
    private HttpServer server;
    private String url;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stock", exchange -> {
            byte[] body;
            if (requests.incrementAndGet() == 1) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
                body = "busy".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(503, body.length);
            } else {
                body = "42".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
            }
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/stock";
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private Retrier retrier(RetryConfig.Builder config) {
        return Retrier.builder("stock").config(config.build()).scheduler(scheduler).executor(Runnable::run)
                .retryAfterSource(new HttpRetryAfter(Clock.fixed(NOW, ZoneOffset.UTC))).build();
    }

    private CompletableFuture<String> viaRestClient(Retrier retrier) {
        RestClient client = RestClient.create();
        return retrier.executeAsync(() -> {
            try {
                return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
            } catch (RuntimeException failure) {
                return CompletableFuture.failedFuture(failure);
            }
        });
    }

    private CompletableFuture<String> viaWebClient(Retrier retrier) {
        WebClient client = WebClient.builder().clientConnector(new JdkClientHttpConnector()).build();
        return ReactorRetry.mono(retrier, () -> client.get().uri(url).retrieve().bodyToMono(String.class)).toFuture();
    }

    /**
     * Runs a call whose first response asks to wait {@code expected}; checks the wait, then the result.
     * {@code budgetTick}: the delay of a retry budget's timer, also pending, if the retrier has one.
     */
    private void waitsWhatTheServerAsked(Supplier<CompletableFuture<String>> call, Duration expected,
            Duration... budgetTick) {
        requests.set(0);
        CompletableFuture<String> result = call.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.pendingTasks() == 1 + budgetTick.length);
        List<Long> pending = new ArrayList<>(List.of(expected.toNanos()));
        for (Duration tick : budgetTick) {
            pending.add(tick.toNanos());
        }
        assertThat(scheduler.pendingDelaysNanos()).containsExactlyInAnyOrderElementsOf(pending);
        assertThat(requests).hasValue(1);

        scheduler.advance(expected.toNanos(), TimeUnit.NANOSECONDS);

        await().atMost(Duration.ofSeconds(10)).until(result::isDone);
        assertThat(result).isCompletedWithValue("42");
        assertThat(requests).hasValue(2);
    }

    @Test
    void deltaSecondsThroughRestClientAndWebClient() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(3).delay(Duration.ofMillis(10)));
        retryAfter = "1";
        waitsWhatTheServerAsked(() -> viaRestClient(retrier), Duration.ofSeconds(1));
        waitsWhatTheServerAsked(() -> viaWebClient(retrier), Duration.ofSeconds(1));
    }

    @Test
    void httpDateThroughRestClientAndWebClient() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(3));
        retryAfter = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atOffset(ZoneOffset.UTC));
        waitsWhatTheServerAsked(() -> viaRestClient(retrier), Duration.ofSeconds(5));
        waitsWhatTheServerAsked(() -> viaWebClient(retrier), Duration.ofSeconds(5));
    }

    @Test
    void retryAfterLongerThanTheMaximumIsHandedToTheCallerAtOnce() {
        Retrier retrier = retrier(RetryConfig.builder().attempts(3).maxRetryAfter(Duration.ofSeconds(30)));
        retryAfter = "120";
        for (Supplier<CompletableFuture<String>> call : List.<Supplier<CompletableFuture<String>>>of(
                () -> viaRestClient(retrier), () -> viaWebClient(retrier))) {
            requests.set(0);
            CompletableFuture<String> result = call.get();
            await().atMost(Duration.ofSeconds(10)).until(result::isDone);
            assertThat(result).isCompletedExceptionally();
            assertThat(requests).hasValue(1);
            assertThat(scheduler.pendingTasks()).isZero();
        }
    }

    @Test
    void registryRetriersReadRetryAfterAndShareTheirBudgetByName() {
        DikeRegistry registry = new DikeRegistry(List.of(), scheduler, Runnable::run);
        Retrier retrier = registry.retrier("stock", RetryConfig.builder().attempts(3).build(), RetryBudgetSpec.DEFAULT);
        assertThat(registry.retrier("stock", RetryConfig.builder().attempts(3).build(), RetryBudgetSpec.DEFAULT))
                .isSameAs(retrier);
        assertThat(retrier.budget()).isNotNull();
        assertThat(retrier.budget().percent()).isEqualTo(10);
        retryAfter = "2";

        // The budget's timer ticks at the start of the next tenth of its 10 s window, 1 s from the virtual 0.
        waitsWhatTheServerAsked(() -> viaWebClient(retrier), Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(retrier.budget().retriesInWindow()).isEqualTo(1);
        assertThat(retrier.budget().callsInWindow()).isEqualTo(1);
    }

    @Test
    void unreadableOrPastHeadersAreHandled() {
        HttpRetryAfter parser = new HttpRetryAfter(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(parser.retryAfterOf(new IllegalStateException("no response"))).isNull();
        assertThat(parser.parse("soon")).isNull();
        assertThat(parser.parse("Wed, 02 Dec 2026 15:59:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(parser.parse("99999999999999999999")).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    }
}
