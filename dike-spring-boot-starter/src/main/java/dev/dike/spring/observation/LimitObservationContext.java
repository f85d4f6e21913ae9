package dev.dike.spring.observation;

import io.micrometer.observation.Observation;

/**
 * The context of a {@link DikeObservationDocumentation#LIMIT} observation: one call's wait for a
 * permit. Started on the caller's thread; ended on the thread that granted, rejected or withdrew it.
 */
public class LimitObservationContext extends Observation.Context {

    /** The wait ended with a permit. */
    public static final String PERMITTED = "permitted";
    /** The wait timed out: the call was rejected. */
    public static final String REJECTED = "rejected";
    /** The caller gave up waiting (cancelled, disposed, interrupted). */
    public static final String CANCELLED = "cancelled";

    private final String instanceName;
    private volatile String outcome;

    /**
     * @param instanceName the limiter's name
     */
    public LimitObservationContext(String instanceName) {
        this.instanceName = instanceName;
    }

    /** @return the limiter's name */
    public String getInstanceName() {
        return instanceName;
    }

    /** @return {@link #PERMITTED}, {@link #REJECTED} or {@link #CANCELLED}; {@code null} while waiting */
    public String getOutcome() {
        return outcome;
    }

    /** @param outcome how the wait ended */
    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }
}
