package dev.dike.spring.actuate;

import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@code dike} actuator endpoint when the actuator is on the class path and the
 * endpoint is available (enabled and exposed, e.g.
 * {@code management.endpoints.web.exposure.include=dike}); backs off otherwise.
 */
@AutoConfiguration(after = DikeAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(DikeRegistry.class)
public class DikeEndpointAutoConfiguration {

    /** Creates the auto-configuration; Spring calls it. */
    public DikeEndpointAutoConfiguration() {
    }

    /**
     * @param registry the application's dike instances
     * @return the endpoint
     */
    // The endpoint condition sits on the methods: its condition class is only loaded once the class
    // condition above has found the actuator.
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public DikeEndpoint dikeEndpoint(DikeRegistry registry, ObjectProvider<ClusterLimitFactory> clusterLimits) {
        return new DikeEndpoint(registry, clusterLimits.getIfAvailable());
    }

    /**
     * @param endpoint the endpoint
     * @return its HTTP extension
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(DikeEndpoint.class)
    public DikeEndpointWebExtension dikeEndpointWebExtension(DikeEndpoint endpoint) {
        return new DikeEndpointWebExtension(endpoint);
    }
}
