package dev.dike.benchmarks.cluster;

import dev.dike.annotation.LimitJobs;
import dev.dike.redis.testing.RedisServer;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.concurrent.CompletableFuture;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One application with a {@code @LimitJobs} method of {@code scope: cluster} and one of local scope, on a
 * real {@code redis-server} (started from the embedded-redis binary, or {@code DIKE_TEST_REDIS_URL}); and the
 * floor: a bare {@code INCR} + {@code DECR} on a connection of the same Lettuce client (Spring Data Redis's),
 * which is what any Redis-counted limit must at least pay per call. Limits are far above the caller count:
 * the permitted path is timed.
 */
@State(Scope.Benchmark)
public class ClusterLimitContext {

    RedisServer server;
    ConfigurableApplicationContext context;
    Limited cluster;
    Limited local;
    RedisCommands<String, String> floor;
    private StatefulRedisConnection<String, String> floorConnection;

    @Setup(Level.Trial)
    public void start() {
        server = RedisServer.startNew();
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(
                "spring.application.name=benchmark", "spring.data.redis.url=" + server.url(),
                "dike.limit.instances.cluster-limit.scope=cluster", "logging.level.root=WARN",
                "spring.main.banner-mode=off").run();
        cluster = context.getBean("clusterLimited", Limited.class);
        local = context.getBean("localLimited", Limited.class);
        AbstractRedisClient client = context.getBean(LettuceConnectionFactory.class).getRequiredNativeClient();
        floorConnection = ((RedisClient) client).connect();
        floor = floorConnection.sync();
        cluster.clusterCall(1).join(); // connects the cluster limits
    }

    @TearDown(Level.Trial)
    public void stop() {
        floorConnection.close();
        context.close();
        server.close();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Limited clusterLimited() {
            return new Limited();
        }

        @Bean
        Limited localLimited() {
            return new Limited();
        }
    }

    /** The limited methods: one per scope, each returning a completed future. */
    public static class Limited {

        @LimitJobs(name = "cluster-limit", limit = 100_000)
        public CompletableFuture<Integer> clusterCall(int x) {
            return CompletableFuture.completedFuture(x + 1);
        }

        @LimitJobs(name = "local-limit", limit = 100_000)
        public CompletableFuture<Integer> localCall(int x) {
            return CompletableFuture.completedFuture(x + 1);
        }
    }
}
