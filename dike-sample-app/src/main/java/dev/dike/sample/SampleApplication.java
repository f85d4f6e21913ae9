package dev.dike.sample;

import dev.dike.sample.demo.LoadDemo;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A price service that shows dike at work: {@code GET /prices/{sku}} with {@code @LimitJobs},
 * {@code @Batch} and {@code @Retry}, in front of a simulated inventory backend served by the same
 * application. Started with {@code --demo}, it runs a load demo against itself and exits.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    /**
     * Starts the service.
     *
     * @param args Spring Boot arguments, plus {@code --demo} for the load demo
     */
    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SampleApplication.class);
        boolean demo = LoadDemo.requested(args);
        if (demo) {
            application.setDefaultProperties(LoadDemo.defaultProperties());
        }
        ConfigurableApplicationContext context = application.run(args);
        if (demo) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
