package dev.dike.spring.autoconfigure;

import dev.dike.spring.DikeInstanceContexts;
import dev.dike.spring.DikeInstanceObserver;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.aop.DikeAspectsConfiguration;
import dev.dike.time.DelayScheduler;

import java.util.concurrent.Executor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of dike: the {@link DikeRegistry} and, unless {@code dike.enabled=false}, the
 * advisors behind {@code @Retry}, {@code @LimitJobs} and {@code @Batch}.
 *
 * <p>Every instance uses the {@link DelayScheduler} bean if the application defines one (tests
 * inject a manual clock this way), else {@link DelayScheduler#system()}; and the {@link Executor}
 * bean named {@value #EXECUTOR_BEAN_NAME} if the application defines one, else each primitive's own
 * default executor. Boot's {@code applicationTaskExecutor} is deliberately not used: it stops
 * accepting tasks as soon as the context starts closing, which would fail retries and batches that
 * are still in flight during a graceful shutdown.
 */
@AutoConfiguration(after = AopAutoConfiguration.class)
@EnableConfigurationProperties(DikeProperties.class)
public class DikeAutoConfiguration {

    /** Name of the optional {@link Executor} bean that every dike instance then runs its work on. */
    public static final String EXECUTOR_BEAN_NAME = "dikeExecutor";

    /**
     * Creates the auto-configuration; Spring calls it.
     *
     * @throws dev.dike.spring.DikeConfigurationException if the application runs a Spring Boot older
     *                                                    than 3.5
     */
    public DikeAutoConfiguration() {
        SpringBootSupport.check();
    }

    /**
     * @param observers every {@link DikeInstanceObserver} bean, in order
     * @param scheduler the application's {@link DelayScheduler}, if any
     * @param executor  the {@link Executor} bean named {@value #EXECUTOR_BEAN_NAME}, if any
     * @param contexts  the context hooks of every instance (tracing, context propagation), if any
     * @return the registry of every dike instance
     */
    @Bean
    @ConditionalOnMissingBean
    public DikeRegistry dikeRegistry(ObjectProvider<DikeInstanceObserver> observers,
            ObjectProvider<DelayScheduler> scheduler, @Qualifier(EXECUTOR_BEAN_NAME) ObjectProvider<Executor> executor,
            ObjectProvider<DikeInstanceContexts> contexts) {
        return new DikeRegistry(observers.orderedStream().toList(), scheduler.getIfUnique(DelayScheduler::system),
                executor.getIfAvailable(), contexts.getIfUnique());
    }

    /**
     * @param registry the registry
     * @return the lifecycle bean that closes the registry's batchers when the context closes
     */
    @Bean
    DikeRegistryLifecycle dikeRegistryLifecycle(DikeRegistry registry) {
        return new DikeRegistryLifecycle(registry);
    }

    /** The advisors and the startup check, unless {@code dike.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "dike.enabled", matchIfMissing = true)
    @Import(DikeAspectsConfiguration.class)
    static class AspectsConfiguration {
    }
}
