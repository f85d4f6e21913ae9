package dev.dike.spring.observation;

import dev.dike.retry.RetryOutcome;
import dev.dike.spring.observation.DikeObservationDocumentation.HighCardinalityKeyNames;
import dev.dike.spring.observation.DikeObservationDocumentation.LowCardinalityKeyNames;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default names and keys of {@link DikeObservationDocumentation#RETRY}: name {@code dike.retry},
 * contextual (span) name {@code retry <instance>}, keys {@code dike.name}, {@code dike.outcome} and
 * {@code dike.retry.attempts}. One protected method per key: override one to change it alone.
 */
public class DefaultRetryObservationConvention implements RetryObservationConvention {

    private static final KeyValue CANCELLED = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "cancelled");
    private static final KeyValue RETRY_AFTER_TOO_LONG = KeyValue.of(LowCardinalityKeyNames.OUTCOME,
            "retry_after_too_long");
    private static final KeyValue UNKNOWN = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "unknown");
    private static final Map<RetryOutcome, KeyValue> OUTCOMES = new EnumMap<>(RetryOutcome.class);

    static {
        for (RetryOutcome outcome : RetryOutcome.values()) {
            OUTCOMES.put(outcome, KeyValue.of(LowCardinalityKeyNames.OUTCOME, outcome.tagValue()));
        }
    }

    /** Creates the convention. */
    public DefaultRetryObservationConvention() {
    }

    @Override
    public String getName() {
        return "dike.retry";
    }

    @Override
    public String getContextualName(RetryObservationContext context) {
        return "retry " + context.getInstanceName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(RetryObservationContext context) {
        return KeyValues.of(name(context), outcome(context));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(RetryObservationContext context) {
        return KeyValues.of(attempts(context));
    }

    /**
     * @param context the observation's context
     * @return {@code dike.name}: the instance name
     */
    protected KeyValue name(RetryObservationContext context) {
        return KeyValue.of(LowCardinalityKeyNames.NAME, context.getInstanceName());
    }

    /**
     * @param context the observation's context
     * @return {@code dike.outcome}: {@code retry_after_too_long} if a failure's retry-after stopped the
     *         call, else the {@code outcome} tag value of {@code dike.retry.calls} (a call the budget
     *         refused to retry is {@code budget_exhausted}); {@code cancelled} if the caller stopped
     *         it; {@code unknown} while it runs (the tag of a long-task timer)
     */
    protected KeyValue outcome(RetryObservationContext context) {
        if (context.isRetryAfterTooLong()) {
            return RETRY_AFTER_TOO_LONG;
        }
        RetryOutcome outcome = context.getOutcome();
        if (outcome != null) {
            return OUTCOMES.get(outcome);
        }
        return context.isEnded() ? CANCELLED : UNKNOWN;
    }

    /**
     * @param context the observation's context
     * @return {@code dike.retry.attempts}: the attempts made
     */
    protected KeyValue attempts(RetryObservationContext context) {
        return KeyValue.of(HighCardinalityKeyNames.ATTEMPTS, Integer.toString(context.getAttempts()));
    }
}
