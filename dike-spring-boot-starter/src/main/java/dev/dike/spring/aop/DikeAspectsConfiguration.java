package dev.dike.spring.aop;

import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;

/**
 * The aspects behind {@code @Retry}, {@code @LimitJobs} and {@code @Batch}, and the startup check of
 * every annotated bean. Imported by {@link dev.dike.spring.autoconfigure.DikeAutoConfiguration}
 * unless {@code dike.enabled=false}; not meant to be used directly.
 */
@Configuration(proxyBeanMethods = false)
public class DikeAspectsConfiguration {

    /** Creates the configuration; called by Spring. */
    public DikeAspectsConfiguration() {
    }

    @Bean
    static MethodPlans dikeMethodPlans(DikeRegistry registry, DikeProperties properties, Environment environment,
            ObjectProvider<ReactiveAdapter> reactive) {
        return new MethodPlans(registry, new InstanceConfigResolver(properties, environment), reactive.getIfAvailable());
    }

    @Bean
    static DikeStartupCheck dikeStartupCheck(ConfigurableListableBeanFactory beanFactory, MethodPlans plans,
            DikeProperties properties) {
        return new DikeStartupCheck(beanFactory, plans, properties);
    }

    @Bean
    static RetryAspect dikeRetryAspect(ObjectProvider<MethodPlans> plans, DikeProperties properties) {
        return new RetryAspect(SingletonSupplier.of(plans::getObject), properties.getAspectOrder().getRetry());
    }

    @Bean
    static LimitAspect dikeLimitAspect(ObjectProvider<MethodPlans> plans, DikeProperties properties) {
        return new LimitAspect(SingletonSupplier.of(plans::getObject), properties.getAspectOrder().getLimit());
    }

    @Bean
    static BatchAspect dikeBatchAspect(ObjectProvider<MethodPlans> plans, DikeProperties properties) {
        return new BatchAspect(SingletonSupplier.of(plans::getObject), properties.getAspectOrder().getBatch());
    }

    /** Registers the Reactor adapter only when Reactor is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.core.publisher.Mono")
    static class ReactorSupport {

        @Bean
        static ReactiveAdapter dikeReactorAdapter() {
            return new ReactorAdapter();
        }
    }
}
