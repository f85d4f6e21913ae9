package dev.dike.spring.observation;

import dev.dike.retry.RetryOutcome;

import io.micrometer.observation.Observation;

/**
 * The context of a {@link DikeObservationDocumentation#RETRY} observation: one call through a retry
 * instance. Written by dike's threads while the call runs (one attempt at a time) and read by the
 * convention when the observation stops.
 */
public class RetryObservationContext extends Observation.Context {

    private final String instanceName;
    private volatile RetryOutcome outcome;
    private volatile int attempts;

    /**
     * @param instanceName the retry instance's name
     */
    public RetryObservationContext(String instanceName) {
        this.instanceName = instanceName;
    }

    /** @return the retry instance's name */
    public String getInstanceName() {
        return instanceName;
    }

    /** @return how the call ended, or {@code null} if the caller cancelled it (or it has not ended) */
    public RetryOutcome getOutcome() {
        return outcome;
    }

    /** @param outcome how the call ended */
    public void setOutcome(RetryOutcome outcome) {
        this.outcome = outcome;
    }

    /** @return the attempts made, once the call ended; 0 if the caller cancelled it */
    public int getAttempts() {
        return attempts;
    }

    /** @param attempts the attempts made */
    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }
}
