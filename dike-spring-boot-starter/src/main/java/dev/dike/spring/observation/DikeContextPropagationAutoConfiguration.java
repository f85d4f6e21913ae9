package dev.dike.spring.observation;

import dev.dike.context.ContextCarrier;
import dev.dike.spring.DikeInstanceContexts;

import java.util.function.Supplier;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Carries the caller's context across dike's thread hops when Micrometer's context-propagation
 * library is on the class path and dike makes no observations ({@link DikeObservationAutoConfiguration}
 * did not apply): every {@code ThreadLocal} registered with the library (MDC, the tracing context,
 * Spring Security's context when configured) is current while dike runs the caller's work on another
 * thread, and restored afterwards. Without the library nothing is captured and nothing costs.
 */
@AutoConfiguration(after = DikeObservationAutoConfiguration.class)
@ConditionalOnClass(name = DikeContextPropagationAutoConfiguration.SNAPSHOT_FACTORY)
public final class DikeContextPropagationAutoConfiguration {

    static final String SNAPSHOT_FACTORY = "io.micrometer.context.ContextSnapshotFactory";

    DikeContextPropagationAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(DikeInstanceContexts.class)
    static DikeInstanceContexts dikeInstanceContexts() {
        return new ObservedContexts(null, Present.create(), null, null, null, null);
    }

    /**
     * @param classLoader the application's class loader
     * @return what captures the registered thread locals, or {@code null} without context-propagation
     */
    static Supplier<ContextCarrier.Captured> threadLocals(ClassLoader classLoader) {
        if (!ClassUtils.isPresent(SNAPSHOT_FACTORY, classLoader)) {
            return null;
        }
        return Present.create();
    }

    /** Touches context-propagation only when it is present. */
    private static final class Present {

        static Supplier<ContextCarrier.Captured> create() {
            return new ThreadLocalSnapshots();
        }
    }
}
