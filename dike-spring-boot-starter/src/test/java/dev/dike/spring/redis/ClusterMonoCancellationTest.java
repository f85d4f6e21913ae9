package dev.dike.spring.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.annotation.LimitJobs;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
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
 * A {@code Mono} with a cluster {@code @LimitJobs} cancelled while its acquire round trip is in flight (an HTTP
 * client that timed out, say) leaves no permit behind: the grant that arrives after the cancel is released, on
 * this instance and in Redis. Found by the sample app's cluster demo, where such permits stayed held for good.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterMonoCancellationTest {

    @Test
    void monosCancelledDuringTheirAcquireLeaveNoPermitHeld(RedisServer server) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.application.name=cancel-app", "spring.data.redis.url=" + server.url(),
                        "dike.limit.instances.cancelled.scope=cluster")
                .run()) {
            Slow slow = context.getBean(Slow.class);
            for (int i = 0; i < 50; i++) {
                // Subscribing sends the acquire; disposing at once cancels it before Redis has answered.
                Disposable call = slow.call().subscribe();
                call.dispose();
            }

            ClusterLimitFactory limits = context.getBean(ClusterLimitFactory.class);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(limits.states().get("cancelled").inFlight()).as("permits held here").isZero();
                assertThat(server.command("ZCARD", "dike:{cancel-app}:limit:cancelled:leases")).as("leases in Redis")
                        .isEqualTo("0");
            });
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Slow slow() {
            return new Slow();
        }
    }

    /** Never completes on its own: a permit it holds is released only by the cancel. */
    static class Slow {

        @LimitJobs(name = "cancelled", limit = 100)
        public Mono<List<String>> call() {
            return Mono.never();
        }
    }
}
