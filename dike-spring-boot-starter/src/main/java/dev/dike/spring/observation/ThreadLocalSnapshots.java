package dev.dike.spring.observation;

import dev.dike.context.ContextCarrier;

import java.util.function.Supplier;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * Captures the calling thread's values of every {@code ThreadLocal} registered with Micrometer's
 * context-propagation library (the current observation, the tracing context, MDC, Spring Security's
 * context when configured) and sets exactly those on the thread that opens the capture: a value the
 * caller did not have is cleared for the scope, and everything is restored when it closes. Only
 * loaded when context-propagation is on the class path.
 */
final class ThreadLocalSnapshots implements Supplier<ContextCarrier.Captured> {

    private final ContextSnapshotFactory factory = ContextSnapshotFactory.builder().clearMissing(true).build();

    @Override
    public ContextCarrier.Captured get() {
        ContextSnapshot snapshot = factory.captureAll();
        return () -> snapshot.setThreadLocals()::close;
    }
}
