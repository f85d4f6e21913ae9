package dev.dike.spring.observation;

import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import dev.dike.spring.DikeInstanceObserver;

import java.time.Duration;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Records each retry as an event on the {@code dike.retry} observation, and the call's outcome,
 * attempts and a too-long retry-after on its context. A retrier reports these in the caller's context, where that observation
 * is the current one (see {@link ObservedContexts}); an event for another instance (a retried method
 * that calls another retried method) leaves the outer observation alone.
 */
final class RetryObservations implements DikeInstanceObserver {

    private final ObservationRegistry registry;

    RetryObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public RetryListener retryListener(String name) {
        return new RetryListener() {
            @Override
            public void onRetryScheduled(String instance, int failedAttempt, Throwable error, Duration delay) {
                Observation observation = current(instance);
                if (observation != null) {
                    observation.event(DikeObservationDocumentation.Events.RETRY_SCHEDULED);
                }
            }

            @Override
            public void onRetryAfterTooLong(String instance, int failedAttempt, Throwable error) {
                Observation observation = current(instance);
                if (observation != null) {
                    ((RetryObservationContext) observation.getContext()).setRetryAfterTooLong(true);
                }
            }

            @Override
            public void onCompleted(String instance, RetryOutcome outcome, int attempts, Throwable error) {
                Observation observation = current(instance);
                if (observation != null) {
                    RetryObservationContext context = (RetryObservationContext) observation.getContext();
                    context.setOutcome(outcome);
                    context.setAttempts(attempts);
                }
            }
        };
    }

    /** The current observation if it is the {@code dike.retry} observation of this instance. */
    private Observation current(String instance) {
        Observation current = registry.getCurrentObservation();
        if (current != null && current.getContext() instanceof RetryObservationContext
                && ((RetryObservationContext) current.getContext()).getInstanceName().equals(instance)) {
            return current;
        }
        return null;
    }
}
