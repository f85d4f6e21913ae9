package dev.dike.batch;

import dev.dike.context.ContextCarrier;

import java.util.List;

/**
 * Supplies the context each batch of a {@link Batcher} runs its operation in, for instance a tracing
 * span that links to the span of every caller in the batch (a span has one parent, so a batch serving
 * callers of many traces links to them instead). Framework-free: the Spring Boot starter implements
 * it with Micrometer Observation.
 *
 * <p>Called on the thread that is about to call the operation. The returned context is current
 * while the operation is called (so the operation's own work is its child), and hears
 * {@link ContextCarrier.Captured#done(Throwable)} once, when the batch ended: its result or failure
 * arrived, or it timed out; before the callers are completed. Implementations must be thread-safe
 * and must not throw.
 */
@FunctionalInterface
public interface BatchRunContext {

    /**
     * A batch is about to call its operation.
     *
     * @param reason  why the batch was flushed
     * @param rows    the number of rows sent to the operation
     * @param callers the context each caller of the batch had when it submitted, in arrival order, as
     *                captured by the batcher's {@link ContextCarrier}; empty when it has none
     * @return the context the operation is called in; never {@code null}
     */
    ContextCarrier.Captured batchStarting(FlushReason reason, int rows, List<ContextCarrier.Captured> callers);
}
