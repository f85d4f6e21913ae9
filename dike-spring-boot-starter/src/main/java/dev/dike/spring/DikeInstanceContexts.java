package dev.dike.spring;

import dev.dike.batch.BatchRunContext;
import dev.dike.context.ContextCarrier;

/**
 * The context hooks the {@link DikeRegistry} gives each instance it creates: how a call's context
 * (tracing, logging, security) follows it across dike's thread hops, and how each instance is
 * observed. The starter provides one when Micrometer's context-propagation library or an
 * {@code ObservationRegistry} is present (see {@code docs/tracing.md}); without one, instances are
 * built without hooks and pay nothing for them.
 *
 * <p>Each method is called once per instance, when the registry creates it; {@code null} means no
 * hook for that instance.
 */
public interface DikeInstanceContexts {

    /**
     * @param name the retry instance's name
     * @return the carrier of its calls, or {@code null}
     */
    ContextCarrier retry(String name);

    /**
     * @param name the limiter's name
     * @return the carrier of its calls, or {@code null}: a local limiter captures the calls that wait
     *         for a permit, a cluster limiter ({@code scope: cluster}) every call, and both tell the
     *         captured context when a call starts waiting
     */
    ContextCarrier limit(String name);

    /**
     * @param name the batcher's name
     * @return the carrier of its callers, or {@code null}
     */
    ContextCarrier batchCall(String name);

    /**
     * @param name the batcher's name
     * @return the context its batches run their operation in, or {@code null}
     */
    BatchRunContext batchRun(String name);
}
