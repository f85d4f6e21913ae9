package dev.dike.sample.cluster;

import dev.dike.sample.Http;
import dev.dike.sample.SampleAppTest;
import dev.dike.spring.ClusterLimitFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without the {@code cluster} profile and {@code sample.redis.embedded}, the sample needs no Redis:
 * no redis-server is started, no cluster limit exists (so nothing connects), the health endpoint is
 * UP although Spring Data Redis is on the class path, and the cluster demo only says what it needs.
 */
@SampleAppTest
class WithoutTheClusterOptionsTest {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    ClusterLimitFactory clusterLimits;

    @Autowired
    ClusterDemo demo;

    @Test
    void startsNoRedisAndStaysHealthy() {
        assertThat(context.getBeansOfType(EmbeddedRedis.class)).isEmpty();
        assertThat(clusterLimits.states()).isEmpty();
        String health = Http.client(port).get().uri("/actuator/health").retrieve().bodyToMono(String.class)
                .block(Http.TIMEOUT);
        assertThat(health).contains("\"status\":\"UP\"");
    }

    @Test
    void theClusterDemoSaysItNeedsTheClusterProfile() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        ClusterDemo.Result result = demo.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

        assertThat(result).isNull();
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("--spring.profiles.active=cluster");
    }
}
