package dev.dike.spring.observation;

import dev.dike.spring.DikeInstanceContexts;
import dev.dike.spring.DikeInstanceObserver;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Observations of dike's work, when an {@link ObservationRegistry} bean exists (Spring Boot's
 * actuator makes one) and {@code dike.observations.enabled} is not {@code false}: {@code dike.retry},
 * {@code dike.limit} and {@code dike.batch} (see {@link DikeObservationDocumentation}), with the
 * caller's context carried across dike's thread hops as well when context-propagation is on the
 * class path. With Micrometer Tracing, a batch's span links to its callers' spans.
 *
 * <p>A bean of type {@link RetryObservationConvention}, {@link LimitObservationConvention} or
 * {@link BatchObservationConvention} replaces the default convention of that observation.
 */
// After the registry and tracer auto-configurations of Boot 4.0 and of Boot 3.5 (by name: either may be absent)
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration" })
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnBooleanProperty(name = "dike.observations.enabled", matchIfMissing = true)
public final class DikeObservationAutoConfiguration {

    DikeObservationAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(DikeInstanceContexts.class)
    static DikeInstanceContexts dikeInstanceContexts(ObservationRegistry registry,
            ObjectProvider<RetryObservationConvention> retry, ObjectProvider<LimitObservationConvention> limit,
            ObjectProvider<BatchObservationConvention> batch, ObjectProvider<TraceContexts> traceContexts,
            ConfigurableListableBeanFactory beanFactory) {
        return new ObservedContexts(registry,
                DikeContextPropagationAutoConfiguration.threadLocals(beanFactory.getBeanClassLoader()),
                traceContexts.getIfAvailable(), retry.getIfAvailable(), limit.getIfAvailable(), batch.getIfAvailable());
    }

    @Bean
    static DikeInstanceObserver dikeRetryObservations(ObservationRegistry registry) {
        return new RetryObservations(registry);
    }

    /**
     * Keeps the meters derived from dike's observations (by Boot's default meter observation handler)
     * from colliding with dike's own meters.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.config.MeterFilter")
    static class MeterNames {

        @Bean
        static DikeObservationMeterFilter dikeObservationMeterFilter() {
            return new DikeObservationMeterFilter();
        }
    }

    /** Links from a batch's span to its callers', with Micrometer Tracing. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.tracing.Tracer")
    @ConditionalOnBean(type = "io.micrometer.tracing.Tracer")
    static class TracingLinks {

        @Bean
        static TraceContexts dikeTraceContexts(Tracer tracer) {
            return new TraceContexts(tracer);
        }

        /** Ahead of Boot's default tracing handler, which would make the batch's span without links. */
        @Bean
        @Order(0)
        static BatchTracingObservationHandler dikeBatchTracingObservationHandler(Tracer tracer) {
            return new BatchTracingObservationHandler(tracer);
        }
    }
}
