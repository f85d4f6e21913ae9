package dev.dike.sample.demo;

import dev.dike.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.util.Map;

import static dev.dike.sample.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load demo's sibling of an application started with {@code --sample.redis.embedded=true} (as the
 * README's cluster commands start the first instance) uses that application's redis-server instead of
 * starting a second one on the same port, which would fail.
 */
class DemoSiblingTest {

    @Test
    void aSiblingUsesTheRedisServerItsApplicationStarted() {
        int redisPort = freePort();
        try (ConfigurableApplicationContext application = new SpringApplicationBuilder(SampleApplication.class)
                .run("--server.port=0", "--spring.profiles.active=cluster", "--sample.redis.embedded=true",
                        "--spring.data.redis.port=" + redisPort, "--logging.level.dev.dike.retry=ERROR");
             DemoTarget sibling = DemoTarget.sibling(application.getEnvironment(), Map.of())) {
            // The bean of EmbeddedRedisConfiguration, which starts the redis-server.
            assertThat(application.containsBean("sampleEmbeddedRedis")).isTrue();
            assertThat(sibling.context().containsBean("sampleEmbeddedRedis")).isFalse();

            application.getBean(StringRedisTemplate.class).opsForValue().set("demo-sibling-test", "shared");
            assertThat(sibling.context().getBean(StringRedisTemplate.class).opsForValue().get("demo-sibling-test"))
                    .isEqualTo("shared");
        }
    }
}
