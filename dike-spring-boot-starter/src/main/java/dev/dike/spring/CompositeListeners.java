package dev.dike.spring;

import dev.dike.batch.BatchCallOutcome;
import dev.dike.batch.BatchListener;
import dev.dike.batch.FlushReason;
import dev.dike.limit.LimitListener;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines the listeners that several {@link DikeInstanceObserver}s give for one instance into the
 * single listener a primitive accepts. A listener that throws is logged and does not keep the
 * others from hearing the event.
 */
final class CompositeListeners {

    private static final Logger log = LoggerFactory.getLogger(CompositeListeners.class);

    private CompositeListeners() {
    }

    static RetryListener retry(String name, List<DikeInstanceObserver> observers) {
        List<RetryListener> listeners = collect(observers, observer -> observer.retryListener(name), RetryListener.NONE);
        if (listeners.size() <= 1) {
            return listeners.isEmpty() ? RetryListener.NONE : listeners.get(0);
        }
        return new RetryListener() {
            @Override
            public void onRetryScheduled(String instance, int failedAttempt, Throwable error, Duration delay) {
                each(listeners, listener -> listener.onRetryScheduled(instance, failedAttempt, error, delay));
            }

            @Override
            public void onCompleted(String instance, RetryOutcome outcome, int attempts, Throwable error) {
                each(listeners, listener -> listener.onCompleted(instance, outcome, attempts, error));
            }
        };
    }

    static LimitListener limit(String name, List<DikeInstanceObserver> observers) {
        List<LimitListener> listeners = collect(observers, observer -> observer.limitListener(name), LimitListener.NONE);
        if (listeners.size() <= 1) {
            return listeners.isEmpty() ? LimitListener.NONE : listeners.get(0);
        }
        return new LimitListener() {
            @Override
            public void onPermitted(String instance, long waitNanos) {
                each(listeners, listener -> listener.onPermitted(instance, waitNanos));
            }

            @Override
            public void onRejected(String instance, long waitNanos) {
                each(listeners, listener -> listener.onRejected(instance, waitNanos));
            }

            @Override
            public void onLimitChanged(String instance, int oldLimit, int newLimit) {
                each(listeners, listener -> listener.onLimitChanged(instance, oldLimit, newLimit));
            }
        };
    }

    static BatchListener batch(String name, List<DikeInstanceObserver> observers) {
        List<BatchListener> listeners = collect(observers, observer -> observer.batchListener(name), BatchListener.NONE);
        if (listeners.size() <= 1) {
            return listeners.isEmpty() ? BatchListener.NONE : listeners.get(0);
        }
        return new BatchListener() {
            @Override
            public void onBatchStarted(String instance, FlushReason reason, int rows, int calls, long waitNanos) {
                each(listeners, listener -> listener.onBatchStarted(instance, reason, rows, calls, waitNanos));
            }

            @Override
            public void onRowsDeduplicated(String instance, int rows) {
                each(listeners, listener -> listener.onRowsDeduplicated(instance, rows));
            }

            @Override
            public void onBatchCompleted(String instance, int rows, long processingNanos, Throwable failure) {
                each(listeners, listener -> listener.onBatchCompleted(instance, rows, processingNanos, failure));
            }

            @Override
            public void onCallCompleted(String instance, BatchCallOutcome outcome) {
                each(listeners, listener -> listener.onCallCompleted(instance, outcome));
            }
        };
    }

    private static <L> List<L> collect(List<DikeInstanceObserver> observers,
            Function<DikeInstanceObserver, L> listenerOf, L none) {
        return observers.stream().map(listenerOf).filter(Objects::nonNull).filter(listener -> listener != none)
                .toList();
    }

    private static <L> void each(List<L> listeners, Consumer<L> event) {
        for (L listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("dike listener {} failed; the other listeners still get the event", listener, e);
            }
        }
    }
}
