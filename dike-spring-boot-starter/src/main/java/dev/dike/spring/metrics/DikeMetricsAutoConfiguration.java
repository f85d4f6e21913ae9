package dev.dike.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Publishes dike's Micrometer meters when Micrometer is on the class path and the application has a
 * {@link MeterRegistry} bean; backs off otherwise.
 *
 * <p>It is ordered after the auto-configurations that create the registry, by name, because they
 * moved between Spring Boot 3.5 ({@code org.springframework.boot.actuate.autoconfigure.metrics}) and
 * 4.0 ({@code org.springframework.boot.micrometer.metrics.autoconfigure}); names that are absent are
 * ignored. Ordered before them, the {@link ConditionalOnBean} condition would find no registry yet
 * and the application would silently have no dike meters.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
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
