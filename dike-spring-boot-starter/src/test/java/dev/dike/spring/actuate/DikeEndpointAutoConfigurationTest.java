package dev.dike.spring.actuate;

import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class DikeEndpointAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DikeAutoConfiguration.class, EndpointAutoConfiguration.class,
                    DikeEndpointAutoConfiguration.class));

    @Test
    void registersTheEndpointWhenExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=dike").run(context -> {
            assertThat(context).hasSingleBean(DikeEndpoint.class).hasSingleBean(DikeEndpointWebExtension.class);
            context.getBean(DikeRegistry.class).retrier("payments", RetryConfig.defaults());
            assertThat(context.getBean(DikeEndpoint.class).instances().retriers()).containsOnlyKeys("payments");
        });
    }

    @Test
    void backsOffWhenNotExposed() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DikeEndpoint.class));
    }

    @Test
    void backsOffWhenAccessIsNone() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=dike",
                        "management.endpoint.dike.access=NONE")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DikeEndpoint.class));
    }

    @Test
    void backsOffWithoutTheActuatorOnTheClassPath() {
        // Without the actuator, Boot's own EndpointAutoConfiguration is absent too.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DikeAutoConfiguration.class,
                        DikeEndpointAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .withPropertyValues("management.endpoints.web.exposure.include=dike")
                .run(context -> assertThat(context).hasNotFailed()
                        .hasSingleBean(DikeRegistry.class)
                        .doesNotHaveBean(DikeEndpoint.class));
    }
}
