package dev.dike.spring.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.annotation.LimitJobs;
import dev.dike.redis.ClusterLimiter;
import dev.dike.redis.ClusterPermit;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;
import dev.dike.spring.ClusterLimitFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A {@code Mono} of a {@code @LimitJobs} method with {@code scope: cluster} whose subscriber cancels before the
 * permit arrived, on a real redis-server: the request is withdrawn, a permit granted late is released exactly
 * once, nothing stays held on the instance or leased in Redis, and the method never runs for it.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterReactiveCancelTest {

    private static final String LEASES = "dike:{reactive-app}:limit:reactive:leases";
    static final AtomicInteger INVOCATIONS = new AtomicInteger();

    private final RedisServer server;
    private ConfigurableApplicationContext context;
    private ReactiveBackend backend;
    private ClusterLimiter limiter;

    ClusterReactiveCancelTest(RedisServer server) {
        this.server = server;
    }

    @BeforeEach
    void start() {
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(
                "spring.application.name=reactive-app", "spring.data.redis.url=" + server.url(),
                "dike.limit.instances.reactive.scope=cluster", "dike.limit.cluster.lease-time=3s").run();
        backend = context.getBean(ReactiveBackend.class);
        INVOCATIONS.set(0);
        assertThat(backend.call().block(Duration.ofSeconds(10))).isEqualTo(1); // connects, loads the scripts
        limiter = context.getBean(ClusterLimitFactory.class).limiter("reactive", 1, Duration.ofSeconds(30));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> leasesInRedis() == 0);
    }

    @AfterEach
    void close() {
        if (server.canInjectFaults()) {
            server.resume();
        }
        context.close();
    }

    @Test
    void cancelledWhileItsAcquireRoundTripIsInFlight_theLateGrantIsReleasedOnceAndNothingLeaks() {
        Assumptions.assumeTrue(server.canInjectFaults(), "needs a server this test may pause");
        server.pause(); // SIGSTOP: the acquisition is sent but not answered until resume
        Disposable subscription = backend.call().subscribe();
        subscription.dispose();
        server.resume(); // well within the round-trip timeout: the grant arrives, for a call that withdrew

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(limiter.inFlight()).isZero();
            assertThat(leasesInRedis()).isZero();
        });
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.permittedCount()).isEqualTo(1); // the first call only: the late grant reached nobody
        assertThat(INVOCATIONS.get()).isEqualTo(1);
        // The limit (1) is free: a permit the cancelled call had kept would make this call wait 30s.
        assertThat(backend.call().block(Duration.ofSeconds(10))).isEqualTo(2);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void cancelledWhileWaitingForAPermit_isWithdrawnAndTheFreedPermitGoesToTheNextCall() throws Exception {
        ClusterPermit held = limiter.acquire().get(10, TimeUnit.SECONDS);
        Disposable subscription = backend.call().subscribe();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limiter.waiting() == 1);

        subscription.dispose();
        assertThat(limiter.waiting()).isZero();
        held.release();

        // A permit granted to the withdrawn call and kept would make this call wait 30s.
        assertThat(backend.call().block(Duration.ofSeconds(10))).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(limiter.inFlight()).isZero();
            assertThat(leasesInRedis()).isZero();
        });
        assertThat(INVOCATIONS.get()).isEqualTo(2);
    }

    private int leasesInRedis() {
        return Integer.parseInt((String) server.command("ZCARD", LEASES));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        ReactiveBackend reactiveBackend() {
            return new ReactiveBackend();
        }
    }

    /** One call in flight across the cluster; a waiting call waits up to 30 s. */
    static class ReactiveBackend {

        @LimitJobs(name = "reactive", limit = 1, maxWait = "30s")
        public Mono<Integer> call() {
            return Mono.fromCallable(INVOCATIONS::incrementAndGet);
        }
    }
}
