package dev.dike.spring.observation;

import java.util.function.Supplier;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/** The calling thread's trace context, for a batch span's links. Only loaded with Micrometer Tracing. */
final class TraceContexts implements Supplier<Object> {

    private final Tracer tracer;

    TraceContexts(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Object get() {
        Span span = tracer.currentSpan();
        return span == null ? null : span.context();
    }
}
