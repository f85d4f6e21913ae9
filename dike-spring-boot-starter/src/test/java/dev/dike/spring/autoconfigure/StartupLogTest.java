package dev.dike.spring.autoconfigure;

import dev.dike.annotation.Retry;
import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole application with Micrometer and an annotated bean starts without a warning from dike's
 * beans: in particular no bean of dike is created while a {@code BeanPostProcessor} (Boot's
 * {@code meterRegistryPostProcessor}) is being created, which Spring reports as "not eligible for
 * getting processed by all BeanPostProcessors".
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupLogTest {

    @Test
    void startupWithMicrometerLogsNoBeanPostProcessorWarning(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off")) {
            context.getBean(Flaky.class).call();
            // Micrometer is really there and dike's meters are bound to it.
            assertThat(context.getBean(MeterRegistry.class).find("dike.retry.calls").tag("name", "flaky").counters())
                    .isNotEmpty();
        }
        assertThat(output).contains("Started").doesNotContain("not eligible for getting processed")
                .doesNotContain("dike-dev.dike.spring.autoconfigure.DikeProperties' of type");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }
    }

    static class Flaky {

        @Retry(name = "flaky")
        public String call() {
            return "ok";
        }
    }
}
