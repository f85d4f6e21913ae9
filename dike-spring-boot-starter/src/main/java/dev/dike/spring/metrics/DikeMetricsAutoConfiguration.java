package dev.dike.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Publishes dike's Micrometer meters when Micrometer is on the class path and the application has a
 * {@link MeterRegistry} bean; backs off otherwise.
 */
@AutoConfiguration(after = {MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
        SimpleMetricsExportAutoConfiguration.class})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public class DikeMetricsAutoConfiguration {

    /** Creates the auto-configuration; Spring calls it. */
    public DikeMetricsAutoConfiguration() {
    }

    /**
     * @param registry the application's meter registry
     * @return the observer that gives every dike instance its meters
     */
    @Bean
    @ConditionalOnMissingBean
    public MicrometerDikeObserver dikeMicrometerObserver(MeterRegistry registry) {
        return new MicrometerDikeObserver(registry);
    }
}
