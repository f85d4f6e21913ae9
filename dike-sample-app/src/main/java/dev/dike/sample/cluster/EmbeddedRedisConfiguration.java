package dev.dike.sample.cluster;

import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * With {@code sample.redis.embedded=true}, the application starts its own {@code redis-server}
 * ({@link EmbeddedRedis}) where Spring Data Redis connects: {@code spring.data.redis.host} (which
 * must be this machine) and {@code spring.data.redis.port} (default 6379). Every Redis connection
 * factory depends on it, so the server starts before anything connects and stops after every
 * connection (dike's cluster limits included) has closed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sample.redis.embedded", havingValue = "true")
class EmbeddedRedisConfiguration {

    static final String BEAN_NAME = "sampleEmbeddedRedis";

    @Bean(BEAN_NAME)
    EmbeddedRedis sampleEmbeddedRedis(DataRedisConnectionDetails connection) {
        DataRedisConnectionDetails.Standalone standalone = connection.getStandalone();
        if (connection.getSentinel() != null || connection.getCluster() != null || standalone == null) {
            throw new IllegalStateException("sample.redis.embedded=true starts one standalone redis-server, but "
                    + "spring.data.redis configures Sentinel or a Redis Cluster. Drop spring.data.redis.sentinel.* / "
                    + "spring.data.redis.cluster.*, or drop sample.redis.embedded.");
        }
        return new EmbeddedRedis(standalone.getHost(), standalone.getPort());
    }

    @Bean
    static RedisAfterEmbeddedServer sampleRedisAfterEmbeddedServer() {
        return new RedisAfterEmbeddedServer();
    }

    /** Makes every {@link RedisConnectionFactory} depend on the embedded server. */
    static final class RedisAfterEmbeddedServer extends AbstractDependsOnBeanFactoryPostProcessor {

        RedisAfterEmbeddedServer() {
            super(RedisConnectionFactory.class, BEAN_NAME);
        }
    }
}
