package dev.dike.spring.observation;

import dev.dike.batch.FlushReason;
import dev.dike.spring.observation.DikeObservationDocumentation.HighCardinalityKeyNames;
import dev.dike.spring.observation.DikeObservationDocumentation.LowCardinalityKeyNames;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default names and keys of {@link DikeObservationDocumentation#BATCH}: name {@code dike.batch},
 * contextual (span) name {@code batch <instance>}, keys {@code dike.name}, {@code dike.outcome},
 * {@code dike.batch.flush.reason} and {@code dike.batch.size}. One protected method per key: override
 * one to change it alone.
 */
public class DefaultBatchObservationConvention implements BatchObservationConvention {

    private static final KeyValue SUCCESS = KeyValue.of(LowCardinalityKeyNames.OUTCOME, BatchObservationContext.SUCCESS);
    private static final KeyValue FAILURE = KeyValue.of(LowCardinalityKeyNames.OUTCOME, BatchObservationContext.FAILURE);
    private static final KeyValue TIMEOUT = KeyValue.of(LowCardinalityKeyNames.OUTCOME, BatchObservationContext.TIMEOUT);
    private static final KeyValue UNKNOWN = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "unknown");
    private static final Map<FlushReason, KeyValue> REASONS = new EnumMap<>(FlushReason.class);

    static {
        for (FlushReason reason : FlushReason.values()) {
            REASONS.put(reason, KeyValue.of(LowCardinalityKeyNames.FLUSH_REASON, reason.tagValue()));
        }
    }

    /** Creates the convention. */
    public DefaultBatchObservationConvention() {
    }

    @Override
    public String getName() {
        return "dike.batch";
    }

    @Override
    public String getContextualName(BatchObservationContext context) {
        return "batch " + context.getInstanceName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(BatchObservationContext context) {
        return KeyValues.of(name(context), outcome(context), flushReason(context));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(BatchObservationContext context) {
        return KeyValues.of(batchSize(context));
    }

    /**
     * @param context the observation's context
     * @return {@code dike.name}: the batcher's name
     */
    protected KeyValue name(BatchObservationContext context) {
        return KeyValue.of(LowCardinalityKeyNames.NAME, context.getInstanceName());
    }

    /**
     * @param context the observation's context
     * @return {@code dike.outcome}: {@code success}, {@code failure} or {@code timeout};
     *         {@code unknown} while running (the tag of a long-task timer)
     */
    protected KeyValue outcome(BatchObservationContext context) {
        String outcome = context.getOutcome();
        if (outcome == null) {
            return UNKNOWN;
        }
        if (BatchObservationContext.TIMEOUT.equals(outcome)) {
            return TIMEOUT;
        }
        return BatchObservationContext.SUCCESS.equals(outcome) ? SUCCESS : FAILURE;
    }

    /**
     * @param context the observation's context
     * @return {@code dike.batch.flush.reason}: {@code size}, {@code time} or {@code close}
     */
    protected KeyValue flushReason(BatchObservationContext context) {
        return REASONS.get(context.getFlushReason());
    }

    /**
     * @param context the observation's context
     * @return {@code dike.batch.size}: the rows sent to the operation
     */
    protected KeyValue batchSize(BatchObservationContext context) {
        return KeyValue.of(HighCardinalityKeyNames.BATCH_SIZE, Integer.toString(context.getBatchSize()));
    }
}
