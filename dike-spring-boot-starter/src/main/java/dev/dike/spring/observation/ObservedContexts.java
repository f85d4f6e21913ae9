package dev.dike.spring.observation;

import dev.dike.batch.BatchRunContext;
import dev.dike.batch.FlushReason;
import dev.dike.context.ContextCarrier;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeInstanceContexts;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The context hooks of every dike instance: observations (when an {@link ObservationRegistry} is
 * given) and the caller's thread-local context (when context-propagation is on the class path).
 *
 * <p>What each hook captures on the caller's thread, and what it makes current elsewhere:
 * <ul>
 *   <li>retry: starts the {@code dike.retry} observation as a child of the caller's, then captures
 *       the thread locals with it current, so attempts after a delay and the retry WARN line are in
 *       the caller's trace, under the retry's span;</li>
 *   <li>limit: captures the thread locals (a local limiter only for calls that wait, a cluster
 *       limiter for every call), and starts the {@code dike.limit} observation, as a child of the
 *       caller's, when the call starts waiting; the operation started after the wait is a child of its
 *       own caller, not of the wait nor of the releasing call;</li>
 *   <li>batch caller: captures the thread locals and the caller's trace context, which the
 *       {@code dike.batch} span links to; the caller's future is completed in its own context;</li>
 *   <li>batch run: starts {@code dike.batch} without a parent, current while the operation is
 *       called, so the bulk call is its child.</li>
 * </ul>
 * Without context-propagation, the observation (or the caller's observation) is opened instead of
 * the thread locals, which carries the tracing context but not, say, an MDC entry of the caller's.
 * Thread-safe and stateless apart from its collaborators.
 */
final class ObservedContexts implements DikeInstanceContexts {

    private static final ContextCarrier.Scope NO_SCOPE = () -> {
    };
    private static final RetryObservationConvention DEFAULT_RETRY = new DefaultRetryObservationConvention();
    private static final LimitObservationConvention DEFAULT_LIMIT = new DefaultLimitObservationConvention();
    private static final BatchObservationConvention DEFAULT_BATCH = new DefaultBatchObservationConvention();

    /** {@code null} when observations are off. */
    private final ObservationRegistry registry;
    /** Captures the calling thread's registered thread locals; {@code null} without context-propagation. */
    private final Supplier<ContextCarrier.Captured> threadLocals;
    /** The calling thread's trace context, or {@code null}; the supplier itself is {@code null} without tracing. */
    private final Supplier<Object> traceContext;
    private final RetryObservationConvention retryConvention;
    private final LimitObservationConvention limitConvention;
    private final BatchObservationConvention batchConvention;

    ObservedContexts(ObservationRegistry registry, Supplier<ContextCarrier.Captured> threadLocals,
            Supplier<Object> traceContext, RetryObservationConvention retryConvention,
            LimitObservationConvention limitConvention, BatchObservationConvention batchConvention) {
        this.registry = registry;
        this.threadLocals = threadLocals;
        this.traceContext = traceContext;
        this.retryConvention = retryConvention;
        this.limitConvention = limitConvention;
        this.batchConvention = batchConvention;
    }

    @Override
    public ContextCarrier retry(String name) {
        if (registry == null) {
            return threadLocals == null ? null : threadLocals::get;
        }
        return () -> {
            Observation observation = DikeObservationDocumentation.RETRY.observation(retryConvention,
                    DEFAULT_RETRY, () -> new RetryObservationContext(name), registry).start();
            ContextCarrier.Captured captured = null;
            if (threadLocals != null) {
                try (Observation.Scope scope = observation.openScope()) {
                    captured = threadLocals.get();
                }
            }
            // The outcome and attempts come from RetryObservations' listener, before the end.
            return new Observed(observation, captured, observation) {
                @Override
                void beforeStop(Throwable failure) {
                    ((RetryObservationContext) observation.getContext()).ended();
                }
            };
        };
    }

    @Override
    public ContextCarrier limit(String name) {
        if (registry == null) {
            return threadLocals == null ? null : threadLocals::get;
        }
        return () -> new LimitWait(name, threadLocals == null ? null : threadLocals.get(),
                registry.getCurrentObservation());
    }

    @Override
    public ContextCarrier batchCall(String name) {
        if (registry == null) {
            return threadLocals == null ? null : threadLocals::get;
        }
        return () -> new BatchCaller(threadLocals == null ? null : threadLocals.get(),
                registry.getCurrentObservation(), traceContext == null ? null : traceContext.get());
    }

    @Override
    public BatchRunContext batchRun(String name) {
        if (registry == null) {
            return null;
        }
        return (FlushReason reason, int rows, List<ContextCarrier.Captured> callers) -> {
            List<Object> links = new ArrayList<>(callers.size());
            for (ContextCarrier.Captured caller : callers) {
                if (caller instanceof BatchCaller && ((BatchCaller) caller).traceContext != null) {
                    links.add(((BatchCaller) caller).traceContext);
                }
            }
            BatchObservationContext context = new BatchObservationContext(name, reason, rows, links);
            Observation run = DikeObservationDocumentation.BATCH.observation(batchConvention,
                    DEFAULT_BATCH, () -> context, registry)
                    .parentObservation(null) // a batch serves many traces: it links to them instead
                    .start();
            return new Observed(run, null, run) {
                @Override
                void beforeStop(Throwable failure) {
                    context.setOutcome(failure == null ? BatchObservationContext.SUCCESS
                            : failure instanceof TimeoutException ? BatchObservationContext.TIMEOUT
                            : BatchObservationContext.FAILURE);
                }
            };
        };
    }

    /** Makes the captured thread locals current if there are any, else the scope of {@code observation}. */
    private static ContextCarrier.Scope open(ContextCarrier.Captured threadLocals, Observation observation) {
        if (threadLocals != null) {
            return threadLocals.open();
        }
        return observation == null ? NO_SCOPE : observation.openScope()::close;
    }

    /**
     * An observation dike stops when its work ended, and what to make current on other threads:
     * the captured thread locals if there are any, else the scope of {@code current}.
     */
    private static class Observed implements ContextCarrier.Captured {

        private final Observation observation;
        private final ContextCarrier.Captured threadLocals;
        private final Observation current;

        Observed(Observation observation, ContextCarrier.Captured threadLocals, Observation current) {
            this.observation = observation;
            this.threadLocals = threadLocals;
            this.current = current;
        }

        @Override
        public ContextCarrier.Scope open() {
            return ObservedContexts.open(threadLocals, current);
        }

        @Override
        public void done(Throwable failure) {
            beforeStop(failure);
            if (failure != null && !(failure instanceof CancellationException)) {
                observation.error(failure);
            }
            observation.stop();
        }

        /** Records how the work ended on the observation's context. */
        void beforeStop(Throwable failure) {
        }
    }

    /**
     * A limited call's context: its thread locals or observation, current where the call continues,
     * and the {@code dike.limit} observation of its wait, started when it starts waiting (in the
     * caller's context, so that it is the caller's child on any thread) and stopped when the limiter
     * decided the call. A call that never waited has none.
     */
    private final class LimitWait implements ContextCarrier.Captured {

        private final String name;
        private final ContextCarrier.Captured threadLocals;
        private final Observation caller;
        /** Written by {@link #waiting()}, which the limiter calls before the thread that ends the wait can. */
        private volatile Observation wait;

        LimitWait(String name, ContextCarrier.Captured threadLocals, Observation caller) {
            this.name = name;
            this.threadLocals = threadLocals;
            this.caller = caller;
        }

        @Override
        public ContextCarrier.Scope open() {
            return ObservedContexts.open(threadLocals, caller);
        }

        @Override
        public void waiting() {
            LimitObservationContext context = new LimitObservationContext(name);
            try (ContextCarrier.Scope scope = open()) {
                wait = DikeObservationDocumentation.LIMIT.observation(limitConvention, DEFAULT_LIMIT,
                        () -> context, registry).parentObservation(caller).start();
            }
        }

        @Override
        public void done(Throwable failure) {
            Observation observation = wait;
            if (observation == null) {
                return; // the call never waited
            }
            ((LimitObservationContext) observation.getContext()).setOutcome(failure == null
                    ? LimitObservationContext.PERMITTED
                    : failure instanceof TooManyCallsException ? LimitObservationContext.REJECTED
                    : LimitObservationContext.CANCELLED);
            if (failure != null && !(failure instanceof CancellationException)) {
                observation.error(failure);
            }
            observation.stop();
        }
    }

    /** A batch caller's context: its thread locals or observation, and its trace context for the link. */
    private static final class BatchCaller implements ContextCarrier.Captured {

        private final ContextCarrier.Captured threadLocals;
        private final Observation observation;
        final Object traceContext;

        BatchCaller(ContextCarrier.Captured threadLocals, Observation observation, Object traceContext) {
            this.threadLocals = threadLocals;
            this.observation = observation;
            this.traceContext = traceContext;
        }

        @Override
        public ContextCarrier.Scope open() {
            return ObservedContexts.open(threadLocals, observation);
        }
    }
}
