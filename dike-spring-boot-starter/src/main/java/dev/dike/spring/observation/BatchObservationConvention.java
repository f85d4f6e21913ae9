package dev.dike.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@link DikeObservationDocumentation#BATCH} observation. Declare a bean of this type
 * to replace {@link DefaultBatchObservationConvention}, or extend that class to change one key.
 */
public interface BatchObservationConvention extends ObservationConvention<BatchObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof BatchObservationContext;
    }
}
