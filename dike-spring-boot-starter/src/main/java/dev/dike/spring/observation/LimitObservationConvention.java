package dev.dike.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@link DikeObservationDocumentation#LIMIT} observation. Declare a bean of this type
 * to replace {@link DefaultLimitObservationConvention}, or extend that class to change one key.
 */
public interface LimitObservationConvention extends ObservationConvention<LimitObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof LimitObservationContext;
    }
}
