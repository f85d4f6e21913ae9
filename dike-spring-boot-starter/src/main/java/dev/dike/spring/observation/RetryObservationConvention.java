package dev.dike.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@link DikeObservationDocumentation#RETRY} observation. Declare a bean of this type
 * to replace {@link DefaultRetryObservationConvention}, or extend that class to change one key.
 */
public interface RetryObservationConvention extends ObservationConvention<RetryObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof RetryObservationContext;
    }
}
