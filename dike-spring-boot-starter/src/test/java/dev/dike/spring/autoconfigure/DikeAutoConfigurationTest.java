package dev.dike.spring.autoconfigure;

import dev.dike.annotation.Retry;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeInstanceObserver;
import dev.dike.spring.DikeRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.framework.autoproxy.InfrastructureAdvisorAutoProxyCreator;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class DikeAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class));

    @Test
    void providesRegistryAndProperties() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(DikeRegistry.class).hasSingleBean(DikeProperties.class);
            assertThat(context.getBean(DikeProperties.class).isEnabled()).isTrue();
        });
    }

    @Test
    void registryCreatesOneInstancePerNameAndTellsEveryObserver() {
        runner.withUserConfiguration(TwoObservers.class).run(context -> {
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            RetryConfig config = RetryConfig.builder().attempts(5).build();

            Retrier first = registry.retrier("fetch", config);
            Retrier second = registry.retrier("fetch", RetryConfig.builder().attempts(5).build());
            JobLimiter limiter = registry.limiter("fetch", 2, Duration.ofMillis(5));

            assertThat(second).isSameAs(first);
            assertThat(registry.findRetrier("fetch")).containsSame(first);
            assertThat(registry.limiters()).containsOnlyKeys("fetch").containsValue(limiter);
            assertThat(context.getBean(TwoObservers.class).events)
                    .containsExactly("a:retry fetch", "b:retry fetch", "a:limit fetch", "b:limit fetch");
        });
    }

    @Test
    void registryRejectsASecondConfigurationForAName() {
        runner.run(context -> {
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            registry.limiter("jobs", 2, Duration.ZERO);

            assertThatIllegalStateException().isThrownBy(() -> registry.limiter("jobs", 3, Duration.ZERO))
                    .withMessageContaining("'jobs'")
                    .withMessageContaining("limit=2")
                    .withMessageContaining("limit=3");
        });
    }

    @Test
    void registersTheAspectsAndTheReactorAdapterWhenReactorIsPresent() {
        runner.run(context -> assertThat(context).hasBean("dikeAdvisingPostProcessor").hasBean("dikeStartupCheck").hasBean("dikeReactorAdapter"));
    }

    @Test
    void worksWithoutReactor() {
        runner.withClassLoader(new FilteredClassLoader("reactor.core")).withBean(FutureClient.class).run(context -> {
            assertThat(context).hasNotFailed().hasBean("dikeAdvisingPostProcessor").doesNotHaveBean("dikeReactorAdapter");
            assertThat(context.getBean(DikeRegistry.class).retriers()).containsOnlyKeys("FutureClient.fetch");
            assertThat(AopUtils.isAopProxy(context.getBean(FutureClient.class))).isTrue();
        });
    }

    /** Without AspectJ, Spring Boot registers the infrastructure auto-proxy creator; it applies dike too. */
    @Test
    void worksWithoutAspectJ() {
        runner.withClassLoader(new FilteredClassLoader("org.aspectj")).withBean(FailsOnceClient.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME))
                    .as("the proxy creator Spring Boot registers without AspectJ")
                    .isExactlyInstanceOf(InfrastructureAdvisorAutoProxyCreator.class);
            FailsOnceClient client = context.getBean(FailsOnceClient.class);
            assertThat(AopUtils.isAopProxy(client)).isTrue();

            assertThat(client.fetch()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo("second attempt");
            assertThat(client.calls()).isEqualTo(2);
        });
    }

    @Test
    void backsOffWithoutItsAutoConfiguration() {
        new ApplicationContextRunner().withBean(FutureClient.class).run(context ->
                assertThat(context).doesNotHaveBean(DikeRegistry.class).doesNotHaveBean("dikeAdvisingPostProcessor"));
    }

    @Test
    void userRegistryWins() {
        runner.withBean(DikeRegistry.class, DikeRegistry::new).run(context ->
                assertThat(context).hasSingleBean(DikeRegistry.class));
    }

    public static class FutureClient {
        @Retry
        public CompletableFuture<String> fetch() {
            return CompletableFuture.completedFuture("x");
        }
    }

    public static class FailsOnceClient {
        private final AtomicInteger calls = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        @Retry(attempts = 2, delay = "0ms")
        public CompletableFuture<String> fetch() {
            return calls.incrementAndGet() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("first"))
                    : CompletableFuture.completedFuture("second attempt");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoObservers {

        final List<String> events = new ArrayList<>();

        @Bean
        DikeInstanceObserver observerA() {
            return observer("a");
        }

        @Bean
        DikeInstanceObserver observerB() {
            return observer("b");
        }

        private DikeInstanceObserver observer(String id) {
            return new DikeInstanceObserver() {
                @Override
                public void retrierCreated(Retrier retrier) {
                    events.add(id + ":retry " + retrier.name());
                }

                @Override
                public void limiterCreated(JobLimiter limiter) {
                    events.add(id + ":limit " + limiter.name());
                }
            };
        }
    }
}
