package dev.dike.spring.redis;

import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeInstanceContexts;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.spring.autoconfigure.DikeProperties;
import dev.dike.spring.metrics.MicrometerDikeObserver;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Cluster limits ({@code dike.limit.instances.<name>.scope: cluster}) on the application's Redis, when
 * dike-redis, Lettuce and Spring Data Redis are on the class path. Nothing connects until an instance asks for
 * {@code scope: cluster}; the connection is the application's ({@code spring.data.redis.*}). Meters when
 * Micrometer and a {@code MeterRegistry} are there.
 */
@AutoConfiguration(after = DikeAutoConfiguration.class, afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(name = { "dev.dike.redis.ClusterLimits", "io.lettuce.core.RedisClient",
        "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory" })
@ConditionalOnBean(DikeRegistry.class)
public final class DikeRedisAutoConfiguration {

    /** Creates the configuration; called by Spring. */
    public DikeRedisAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(ClusterLimitFactory.class)
    static RedisClusterLimits dikeClusterLimits(ObjectProvider<RedisConnectionFactory> connectionFactory,
            DikeProperties properties, Environment environment, ObjectProvider<ClusterInstrumentation> instrumentation,
            DikeRegistry registry, ObjectProvider<DikeInstanceContexts> contexts) {
        return new RedisClusterLimits(connectionFactory, properties, environment, instrumentation.getIfAvailable(),
                registry, contexts.getIfUnique());
    }

    /** The meters of cluster limits, when the application has Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {

        @Bean
        static ClusterInstrumentation dikeClusterMeters(MeterRegistry registry,
                ObjectProvider<MicrometerDikeObserver> limitMeters) {
            return new ClusterMeters(registry, limitMeters.getIfAvailable());
        }
    }
}
