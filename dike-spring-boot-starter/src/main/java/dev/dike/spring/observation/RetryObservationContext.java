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
    private volatile boolean retryAfterTooLong;
    private volatile boolean ended;

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

    /**
     * @return how the call ended, or {@code null} if the caller stopped it (cancelled it, completed it
     *         from outside, or it timed out through {@code orTimeout}) or it has not ended
     */
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

    /**
     * @return whether the call stopped because a failure's retry-after was longer than the retry waits
     *         ({@code maxRetryAfter}): the attempt that asked for it was not retried
     */
    public boolean isRetryAfterTooLong() {
        return retryAfterTooLong;
    }

    /** @param retryAfterTooLong whether a too-long retry-after stopped the call */
    public void setRetryAfterTooLong(boolean retryAfterTooLong) {
        this.retryAfterTooLong = retryAfterTooLong;
    }

    /** @return whether the call ended: the observation is being stopped, or was */
    public boolean isEnded() {
        return ended;
    }

    /** Marks the call as ended, just before the observation stops. */
    public void ended() {
        this.ended = true;
    }
}
