package dev.dike.spring.metrics;

import dev.dike.retry.RetryOutcome;
import dev.dike.spring.DikeInstanceObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class DikeMetricsAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DikeMetricsAutoConfiguration.class));

    @Test
    void bindsToTheMeterRegistryOfBootsMetricsAutoConfiguration() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(MicrometerDikeObserver.class);
                    context.getBean(MicrometerDikeObserver.class).retryListener("payments");
                    assertThat(context.getBean(MeterRegistry.class).find("dike.retry.calls")
                            .tag("name", "payments").counters()).hasSize(RetryOutcome.values().length);
                });
    }

    @Test
    void bindsToAnApplicationsMeterRegistry() {
        runner.withUserConfiguration(RegistryConfiguration.class).run(context -> {
            context.getBean(DikeInstanceObserver.class).limitListener("orders");
            assertThat(context.getBean(SimpleMeterRegistry.class).find("dike.limit.calls").counters()).hasSize(2);
        });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MicrometerDikeObserver.class));
    }

    @Test
    void backsOffWithoutMicrometerOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DikeInstanceObserver.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnObserver() {
        runner.withUserConfiguration(RegistryConfiguration.class, OwnObserverConfiguration.class)
                .run(context -> assertThat(context.getBean(MicrometerDikeObserver.class))
                        .isSameAs(context.getBean("ownObserver")));
    }

    @Test
    void removesItsMetersWhenTheContextCloses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(SimpleMeterRegistry.class, () -> registry)
                .run(context -> {
                    context.getBean(MicrometerDikeObserver.class).batchListener("lookup");
                    assertThat(registry.getMeters()).isNotEmpty();
                });
        assertThat(registry.getMeters()).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    static class RegistryConfiguration {

        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnObserverConfiguration {

        @Bean
        MicrometerDikeObserver ownObserver(MeterRegistry registry) {
            return new MicrometerDikeObserver(registry);
        }
    }
}
