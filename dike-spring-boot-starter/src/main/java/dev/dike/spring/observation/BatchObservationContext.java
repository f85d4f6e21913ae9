package dev.dike.spring.observation;

import dev.dike.batch.FlushReason;

import java.util.List;

import io.micrometer.observation.Observation;

/**
 * The context of a {@link DikeObservationDocumentation#BATCH} observation: one batch run. Started on
 * the batch runner; ended on the thread that settled the batch.
 */
public class BatchObservationContext extends Observation.Context {

    /** The operation's result arrived with one row per row sent. */
    public static final String SUCCESS = "success";
    /** The operation failed, threw or returned a result of the wrong size. */
    public static final String FAILURE = "failure";
    /** The batch did not end within its maximum processing time. */
    public static final String TIMEOUT = "timeout";

    private final String instanceName;
    private final FlushReason flushReason;
    private final int batchSize;
    private final List<Object> callerTraceContexts;
    private volatile String outcome;

    /**
     * @param instanceName        the batcher's name
     * @param flushReason         why the batch was flushed
     * @param batchSize           the rows sent to the operation
     * @param callerTraceContexts the trace context ({@code io.micrometer.tracing.TraceContext}) of each
     *                            caller that had one at submit, in arrival order; empty without
     *                            Micrometer Tracing
     */
    public BatchObservationContext(String instanceName, FlushReason flushReason, int batchSize,
            List<Object> callerTraceContexts) {
        this.instanceName = instanceName;
        this.flushReason = flushReason;
        this.batchSize = batchSize;
        this.callerTraceContexts = List.copyOf(callerTraceContexts);
    }

    /** @return the batcher's name */
    public String getInstanceName() {
        return instanceName;
    }

    /** @return why the batch was flushed */
    public FlushReason getFlushReason() {
        return flushReason;
    }

    /** @return the rows sent to the operation */
    public int getBatchSize() {
        return batchSize;
    }

    /**
     * @return the trace context of each caller that had one at submit, in arrival order: the span of
     *         this batch links to each
     */
    public List<Object> getCallerTraceContexts() {
        return callerTraceContexts;
    }

    /** @return {@link #SUCCESS}, {@link #FAILURE} or {@link #TIMEOUT}; {@code null} while running */
    public String getOutcome() {
        return outcome;
    }

    /** @param outcome how the batch ended */
    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }
}
