package dev.dike.spring.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.annotation.LimitJobs;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in an application without dike-redis, Lettuce and Spring Data Redis: local limits work and
 * nothing of the Redis wiring loads; {@code scope: cluster} then fails startup saying what to add.
 */
public class WithoutRedisTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withClassLoader(new FilteredClassLoader("dev.dike.redis", "io.lettuce", "org.springframework.data.redis"))
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class,
                    DikeRedisAutoConfiguration.class))
            .withUserConfiguration(Limited.class);

    @Test
    void localLimitsWorkWithoutAnyRedisLibrary() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ClusterLimitFactory.class);
            assertThat(context.getBean(Service.class).call().join()).isEqualTo(1);
        });
    }

    @Test
    void clusterScopeWithoutDikeRedisFailsStartupSayingWhatToAdd() {
        runner.withPropertyValues("dike.limit.instances.orders.scope=cluster").run(context -> assertThat(context)
                .hasFailed().getFailure().hasStackTraceContaining("dike.limit.instances.orders.scope is cluster")
                .hasStackTraceContaining("dev.dike:dike-redis and spring-boot-starter-data-redis"));
    }

    @Configuration(proxyBeanMethods = false)
    public static class Limited {

        @Bean
        public Service service() {
            return new Service();
        }
    }

    public static class Service {

        @LimitJobs(name = "orders", limit = 2)
        public CompletableFuture<Integer> call() {
            return CompletableFuture.completedFuture(1);
        }
    }
}
