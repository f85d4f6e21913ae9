package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeProperties;

import java.util.List;
import java.util.function.Supplier;

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
 * <p>The advisors are applied by a post-processor of dike's own, {@link DikeAdvisingPostProcessor},
 * whatever auto-proxy creator Spring Boot registers ({@code spring.aop.*}, AspectJ on the class path
 * or not), or none; the startup check fails for an annotated method that ends up unadvised.
 */
@Configuration(proxyBeanMethods = false)
public class DikeAspectsConfiguration {

    /** Creates the configuration; called by Spring. */
    public DikeAspectsConfiguration() {
    }

    @Bean
    static MethodPlans dikeMethodPlans(DikeRegistry registry, DikeProperties properties, Environment environment,
            ObjectProvider<ReactiveAdapter> reactive, ObjectProvider<ClusterLimitFactory> clusterLimits) {
        return new MethodPlans(registry, new InstanceConfigResolver(properties, environment), reactive.getIfAvailable(),
                clusterLimits::getIfAvailable);
    }

    @Bean
    static DikeStartupCheck dikeStartupCheck(ConfigurableListableBeanFactory beanFactory, MethodPlans plans,
            DikeProperties properties) {
        return new DikeStartupCheck(beanFactory, plans, properties);
    }

    /**
     * The post-processor that puts the advisors on the annotated beans. Static, and depending only on
     * the environment and (lazily) on the plans, so that declaring it creates no other bean early:
     * it binds {@code dike.aspect-order} from the environment rather than taking the
     * {@link DikeProperties} bean, which, created while post-processors are being created, would miss
     * their processing (Spring logs a warning). {@code spring.aop.proxy-target-class} is read as
     * Spring Boot reads it: class proxying unless it is {@code false}.
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DikeAdvisingPostProcessor dikeAdvisingPostProcessor(Environment environment,
            ObjectProvider<MethodPlans> plans) {
        DikeProperties.AspectOrder order = Binder.get(environment).bindOrCreate("dike.aspect-order",
                DikeProperties.AspectOrder.class);
        Supplier<MethodPlans> lazyPlans = SingletonSupplier.of(plans::getObject);
        List<DikeAdvisor> advisors = List.of(
                new DikeAdvisor(Retry.class, new RetryInterceptor(lazyPlans), order.getRetry()),
                new DikeAdvisor(LimitJobs.class, new LimitInterceptor(lazyPlans), order.getLimit()),
                new DikeAdvisor(Batch.class, new BatchInterceptor(lazyPlans), order.getBatch()));
        return new DikeAdvisingPostProcessor(advisors,
                environment.getProperty("spring.aop.proxy-target-class", Boolean.class, Boolean.TRUE));
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
