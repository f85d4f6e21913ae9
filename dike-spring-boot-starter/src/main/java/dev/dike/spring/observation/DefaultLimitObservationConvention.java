package dev.dike.spring.observation;

import dev.dike.spring.observation.DikeObservationDocumentation.LowCardinalityKeyNames;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default names and keys of {@link DikeObservationDocumentation#LIMIT}: name {@code dike.limit},
 * contextual (span) name {@code wait for permit <instance>}, keys {@code dike.name} and
 * {@code dike.outcome}. One protected method per key: override one to change it alone.
 */
public class DefaultLimitObservationConvention implements LimitObservationConvention {

    private static final KeyValue PERMITTED = KeyValue.of(LowCardinalityKeyNames.OUTCOME,
            LimitObservationContext.PERMITTED);
    private static final KeyValue REJECTED = KeyValue.of(LowCardinalityKeyNames.OUTCOME,
            LimitObservationContext.REJECTED);
    private static final KeyValue CANCELLED = KeyValue.of(LowCardinalityKeyNames.OUTCOME,
            LimitObservationContext.CANCELLED);
    private static final KeyValue UNKNOWN = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "unknown");

    /** Creates the convention. */
    public DefaultLimitObservationConvention() {
    }

    @Override
    public String getName() {
        return "dike.limit";
    }

    @Override
    public String getContextualName(LimitObservationContext context) {
        return "wait for permit " + context.getInstanceName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(LimitObservationContext context) {
        return KeyValues.of(name(context), outcome(context));
    }

    /**
     * @param context the observation's context
     * @return {@code dike.name}: the limiter's name
     */
    protected KeyValue name(LimitObservationContext context) {
        return KeyValue.of(LowCardinalityKeyNames.NAME, context.getInstanceName());
    }

    /**
     * @param context the observation's context
     * @return {@code dike.outcome}: {@code permitted}, {@code rejected} or {@code cancelled};
     *         {@code unknown} while waiting (the tag of a long-task timer)
     */
    protected KeyValue outcome(LimitObservationContext context) {
        String outcome = context.getOutcome();
        if (outcome == null) {
            return UNKNOWN;
        }
        if (LimitObservationContext.PERMITTED.equals(outcome)) {
            return PERMITTED;
        }
        return LimitObservationContext.REJECTED.equals(outcome) ? REJECTED : CANCELLED;
    }
}
