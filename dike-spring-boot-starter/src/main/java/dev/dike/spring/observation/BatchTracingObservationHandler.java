package dev.dike.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;

/**
 * Makes the span of a {@code dike.batch} observation: a root span with one link to the span of every
 * caller in the batch, since a span has one parent and a batch serves callers of many traces (the
 * OpenTelemetry convention for batch processing). Spring Boot puts it ahead of its default tracing
 * handler, which would make a span without links; it handles nothing else.
 */
public class BatchTracingObservationHandler implements TracingObservationHandler<BatchObservationContext> {

    private final Tracer tracer;

    /**
     * @param tracer the tracer
     */
    public BatchTracingObservationHandler(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void onStart(BatchObservationContext context) {
        Span.Builder builder = tracer.spanBuilder().setNoParent();
        for (Object caller : context.getCallerTraceContexts()) {
            if (caller instanceof TraceContext) {
                builder.addLink(new Link((TraceContext) caller));
            }
        }
        getTracingContext(context).setSpan(builder.start());
    }

    @Override
    public void onStop(BatchObservationContext context) {
        Span span = getRequiredSpan(context);
        span.name(getSpanName(context));
        tagSpan(context, span);
        endSpan(context, span);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof BatchObservationContext;
    }

    @Override
    public Tracer getTracer() {
        return tracer;
    }
}
