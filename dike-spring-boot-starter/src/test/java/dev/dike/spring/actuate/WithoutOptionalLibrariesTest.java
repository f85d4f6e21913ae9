package dev.dike.spring.actuate;

import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeInstanceObserver;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.spring.metrics.DikeMetricsAutoConfiguration;
import dev.dike.spring.web.DikeWebAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter in an application that has none of Micrometer, the actuator and Spring Web. */
class WithoutOptionalLibrariesTest {

    @Test
    void startsAndCreatesInstancesWithoutMicrometerActuatorOrWeb() {
        new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                        "org.springframework.web", "org.springframework.http"))
                .withConfiguration(AutoConfigurations.of(DikeAutoConfiguration.class,
                        DikeMetricsAutoConfiguration.class, DikeEndpointAutoConfiguration.class,
                        DikeWebAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=dike")
                .run(context -> {
                    assertThat(context).hasNotFailed()
                            .doesNotHaveBean(DikeInstanceObserver.class)
                            .doesNotHaveBean(DikeEndpoint.class)
                            .doesNotHaveBean("dikeTooManyCallsProblemHandler");
                    DikeRegistry registry = context.getBean(DikeRegistry.class);
                    registry.retrier("payments", RetryConfig.defaults());
                    assertThat(registry.retriers()).containsOnlyKeys("payments");
                });
    }
}
