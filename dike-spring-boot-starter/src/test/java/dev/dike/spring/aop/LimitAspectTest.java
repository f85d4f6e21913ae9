package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.aop.AspectsTestApplication.LimitClient;
import dev.dike.spring.aop.AspectsTestApplication.SharedLimitA;
import dev.dike.spring.aop.AspectsTestApplication.SharedLimitB;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @LimitJobs} through real beans, on every supported return type. */
@SpringBootTest(classes = AspectsTestApplication.class)
class LimitAspectTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Autowired
    private LimitClient client;

    @Autowired
    private DikeRegistry registry;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void reset() {
        client.reset();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void seedExampleThreeConcurrentSlowCallsUnderLimitTwoRejectOne() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        List<CompletableFuture<String>> calls = List.of(client.slow(gate), client.slow(gate), client.slow(gate));

        assertThat(calls.get(2)).isCompletedExceptionally();
        assertThatThrownBy(calls.get(2)::join).hasCauseInstanceOf(TooManyCallsException.class)
                .hasMessageContaining("Too many calls to seed-limit! limit=2 exceeded");
        assertThat(client.calls()).isEqualTo(2);

        gate.complete("200 OK");
        assertThat(calls.get(0).join()).isEqualTo("200 OK");
        assertThat(calls.get(1).join()).isEqualTo("200 OK");
        // The permits were held until the futures completed, and are free again now.
        assertThat(registry.findLimiter("seed-limit").orElseThrow().inFlight()).isZero();
        assertThat(client.slow(CompletableFuture.completedFuture("again")).join()).isEqualTo("again");
    }

    @Test
    void completionStageHoldsItsPermitUntilComplete() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> first = client.stage(gate).toCompletableFuture();

        assertThatThrownBy(() -> client.stage(gate).toCompletableFuture().join())
                .hasCauseInstanceOf(TooManyCallsException.class);
        gate.complete("done");
        assertThat(first.join()).isEqualTo("done");
        assertThat(client.stage(CompletableFuture.completedFuture("next")).toCompletableFuture().join()).isEqualTo("next");
    }

    @Test
    void monoTakesItsPermitAtSubscriptionAndHoldsItUntilTermination() {
        Sinks.One<String> gate = Sinks.one();
        var first = client.mono(gate.asMono());
        assertThat(client.calls()).as("nothing runs before subscription").isZero();

        var subscribed = first.toFuture();
        StepVerifier.create(client.mono(gate.asMono())).expectError(TooManyCallsException.class).verify(TIMEOUT);

        gate.tryEmitValue("value");
        assertThat(subscribed.join()).isEqualTo("value");
        StepVerifier.create(client.mono(reactor.core.publisher.Mono.just("free"))).expectNext("free").verifyComplete();
    }

    @Test
    void fluxHoldsItsPermitUntilCompleteOrCancelled() {
        Sinks.Many<String> gate = Sinks.many().unicast().onBackpressureBuffer();
        var first = client.flux(gate.asFlux()).subscribe();

        StepVerifier.create(client.flux(reactor.core.publisher.Flux.just("x"))).expectError(TooManyCallsException.class)
                .verify(TIMEOUT);
        first.dispose();
        StepVerifier.create(client.flux(reactor.core.publisher.Flux.just("a", "b"))).expectNext("a", "b")
                .verifyComplete();
    }

    @Test
    void plainCallHoldsItsPermitWhileRunning() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = threads.submit(() -> client.plain(entered, release));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> client.plain(new CountDownLatch(1), new CountDownLatch(0)))
                .isInstanceOf(TooManyCallsException.class);
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("plain");
        assertThat(client.plain(new CountDownLatch(1), new CountDownLatch(0))).isEqualTo("plain");
    }

    @Test
    void voidCallHoldsItsPermitWhileRunning() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> first = threads.submit(() -> {
            client.run(entered, release);
            return null;
        });
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> client.run(new CountDownLatch(1), new CountDownLatch(0)))
                .isInstanceOf(TooManyCallsException.class);
        release.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertThat(client.calls()).isEqualTo(1);
    }

    @Test
    void beansSharingANameShareOneLimiter(@Autowired SharedLimitA a, @Autowired SharedLimitB b) {
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> holding = a.call(gate);

        StepVerifier.create(b.call()).expectError(TooManyCallsException.class).verify(TIMEOUT);
        gate.complete("a");
        assertThat(holding.join()).isEqualTo("a");
        StepVerifier.create(b.call()).expectNext("b").verifyComplete();
        JobLimiter shared = registry.findLimiter("shared-permits").orElseThrow();
        assertThat(shared.rejectedCount()).isEqualTo(1);
    }
}
