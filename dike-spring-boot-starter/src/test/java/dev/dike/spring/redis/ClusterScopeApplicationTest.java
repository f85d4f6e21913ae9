package dev.dike.spring.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.annotation.LimitJobs;
import dev.dike.redis.ClusterLimits;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.actuate.DikeEndpoint;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.time.DelayScheduler;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Three application contexts, each with its own Redis connection (Boot's, from spring.data.redis.url), share one
 * {@code @LimitJobs} limit with {@code scope: cluster} on a real redis-server: an independent gauge sees at most
 * {@code limit} operations at once across all three; meters carry {@code scope=cluster}; the actuator shows the
 * cluster details and its write changes the limit for every instance; bad settings fail startup naming the
 * property and the fix.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterScopeApplicationTest {

    private static final String INSTANCES = "dike:{fleet-app}:instances";
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX_RUNNING = new AtomicInteger();
    static final ScheduledExecutorService TIMERS = Executors.newScheduledThreadPool(2);

    private final RedisServer server;
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    ClusterScopeApplicationTest(RedisServer server) {
        this.server = server;
    }

    @AfterEach
    void close() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void threeApplicationsShareOneLimitAndTheActuatorChangesItForAll() throws Exception {
        for (int i = 0; i < 3; i++) {
            contexts.add(start("dike.limit.instances.shared.scope=cluster", "dike.limit.cluster.lease-time=3s"));
        }
        RUNNING.set(0);
        MAX_RUNNING.set(0);
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            for (ConfigurableApplicationContext context : contexts) {
                calls.add(context.getBean(Backend.class).call());
            }
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);

        assertThat(MAX_RUNNING.get()).isBetween(2, 3);
        MeterRegistry meters = contexts.get(0).getBean(MeterRegistry.class);
        assertThat(meters.get("dike.limit.calls").tags("name", "shared", "outcome", "permitted", "scope", "cluster")
                .counter().count()).isEqualTo(40);
        DikeEndpoint endpoint = endpoint(contexts.get(0));
        DikeEndpoint.LimiterDescriptor shown = endpoint.instance("shared").limiters().get("shared");
        assertThat(shown.limit()).isEqualTo(3);
        assertThat(shown.cluster()).containsEntry("namespace", "fleet-app").containsEntry("onUnavailable", "local")
                .containsEntry("leaseTime", "PT3S").containsEntry("fallback", false).containsKey("clusterInFlight");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> (Integer) endpoint.instance("shared").limiters()
                .get("shared").cluster().get("instancesAlive") == 3);

        endpoint.configure("shared", 5, null, null); // what POST /actuator/dike/shared {"limit": 5} runs

        // Every instance sees the new limit at its next round trip (a renewal at the latest, every second here).
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(contexts).allSatisfy(context ->
                assertThat(context.getBean(ClusterLimitFactory.class).states().get("shared").limit()).isEqualTo(5)));
    }

    @Test
    void clusterLimitsRunOnTheSchedulerAndExecutorOfTheLocalLimits() throws Exception {
        AtomicInteger executed = new AtomicInteger();
        Executor executor = task -> {
            executed.incrementAndGet();
            ForkJoinPool.commonPool().execute(task);
        };
        AtomicInteger scheduled = new AtomicInteger();
        DelayScheduler scheduler = new DelayScheduler() {
            @Override
            public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
                scheduled.incrementAndGet();
                return DelayScheduler.system().schedule(task, delay, unit);
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .initializers(created -> {
                    created.getBeanFactory().registerSingleton(DikeAutoConfiguration.EXECUTOR_BEAN_NAME, executor);
                    created.getBeanFactory().registerSingleton("testScheduler", scheduler);
                })
                .properties("spring.application.name=fleet-app", "spring.data.redis.url=" + server.url(),
                        "dike.limit.instances.shared.scope=cluster")
                .run();
        contexts.add(context);

        assertThat(context.getBean(Backend.class).call().get(10, TimeUnit.SECONDS)).isEqualTo(1);

        assertThat(context.getBean(DikeRegistry.class).scheduler()).isSameAs(scheduler);
        assertThat(executed.get()).as("grants completed on the dikeExecutor").isPositive();
        assertThat(scheduled.get()).as("renewals and round-trip checks on the application's scheduler").isPositive();
    }

    @Test
    void closingTheContextClosesTheClusterLimitsBeforeLettuceShutsDown_noFallbackAndTheInstanceLeaves() throws Exception {
        ConfigurableApplicationContext context = start("dike.limit.instances.shared.scope=cluster");
        assertThat(context.getBean(Backend.class).call().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        ClusterLimits limits = context.getBean(ClusterLimitFactory.class).limiter("shared", 3, Duration.ofSeconds(60))
                .cluster();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(server.command("ZCARD", INSTANCES)));

        context.close();

        // Closed by the context, with Lettuce still up: no switch to fallback, and its heartbeat was removed.
        assertThat(limits.fallbackCount()).isZero();
        assertThat(server.command("ZCARD", INSTANCES)).isEqualTo("0");
    }

    @Test
    void unknownScopeFailsStartupNamingTheProperty() {
        assertThatThrownBy(() -> start("dike.limit.instances.shared.scope=fleet"))
                .hasStackTraceContaining("dike.limit.instances.shared.scope");
    }

    @Test
    void clusterScopeWithoutARedisConnectionFactoryFailsStartupNamingTheFix() {
        assertThatThrownBy(() -> start("dike.limit.instances.shared.scope=cluster",
                "spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"))
                .hasStackTraceContaining("no RedisConnectionFactory")
                .hasStackTraceContaining("spring-boot-starter-data-redis");
    }

    @Test
    void nonPositiveLeaseTimeFailsStartupNamingTheProperty() {
        assertThatThrownBy(() -> start("dike.limit.instances.shared.scope=cluster", "dike.limit.cluster.lease-time=0s"))
                .hasStackTraceContaining("Invalid dike.limit.cluster.lease-time 'PT0S'")
                .hasStackTraceContaining("Set dike.limit.cluster.lease-time");
    }

    /** The endpoint as the actuator auto-configuration builds it (exposing it over JMX or HTTP is not the point here). */
    private static DikeEndpoint endpoint(ConfigurableApplicationContext context) {
        return new DikeEndpoint(context.getBean(DikeRegistry.class), context.getBean(ClusterLimitFactory.class));
    }

    private ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(List.of("spring.application.name=fleet-app",
                "spring.data.redis.url=" + server.url()));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(all.toArray(String[]::new))
                .run();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Backend backend() {
            return new Backend();
        }
    }

    /** A backend call limited to 3 in flight across the cluster; counts what really runs, across all instances. */
    static class Backend {

        @LimitJobs(name = "shared", limit = 3, maxWait = "60s")
        public CompletableFuture<Integer> call() {
            MAX_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            CompletableFuture<Integer> done = new CompletableFuture<>();
            TIMERS.schedule(() -> {
                RUNNING.decrementAndGet();
                done.complete(1);
            }, ThreadLocalRandom.current().nextInt(1, 4), TimeUnit.MILLISECONDS);
            return done;
        }
    }
}
