package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;

/**
 * The advisors behind {@code @Retry}, {@code @LimitJobs} and {@code @Batch}, and the startup check of
 * every annotated bean. Imported by {@link dev.dike.spring.autoconfigure.DikeAutoConfiguration}
 * unless {@code dike.enabled=false}; not meant to be used directly.
 *
 * <p>The advisors are infrastructure beans, so that any auto-proxy creator applies them: the
 * AspectJ-aware one that Spring Boot registers when AspectJ is on the class path, and the
 * infrastructure one it registers otherwise.
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
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DikeAdvisor dikeRetryAdvisor(ObjectProvider<MethodPlans> plans, Environment environment) {
        return new DikeAdvisor(Retry.class, new RetryInterceptor(SingletonSupplier.of(plans::getObject)),
                aspectOrder(environment).getRetry());
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DikeAdvisor dikeLimitAdvisor(ObjectProvider<MethodPlans> plans, Environment environment) {
        return new DikeAdvisor(LimitJobs.class, new LimitInterceptor(SingletonSupplier.of(plans::getObject)),
                aspectOrder(environment).getLimit());
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DikeAdvisor dikeBatchAdvisor(ObjectProvider<MethodPlans> plans, Environment environment) {
        return new DikeAdvisor(Batch.class, new BatchInterceptor(SingletonSupplier.of(plans::getObject)),
                aspectOrder(environment).getBatch());
    }

    /**
     * Binds {@code dike.aspect-order} from the environment rather than taking the
     * {@link DikeProperties} bean: an auto-proxy creator creates the advisors while it creates other
     * post-processors (Micrometer's, for one), and a {@code DikeProperties} bean created that early
     * would miss their processing, which Spring logs as a warning.
     */
    private static DikeProperties.AspectOrder aspectOrder(Environment environment) {
        return Binder.get(environment).bindOrCreate("dike.aspect-order", DikeProperties.AspectOrder.class);
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
