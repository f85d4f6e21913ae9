package dev.dike.sample.demo;

import dev.dike.retry.RetryListener;
import dev.dike.spring.DikeInstanceObserver;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the retries of every {@code @Retry} instance, for the load demo's summary; an example of
 * a {@link DikeInstanceObserver}, the starter's hook into every instance it creates.
 */
@Component
class RetryCounter implements DikeInstanceObserver {

    private final LongAdder retries = new LongAdder();
    private final RetryListener listener = new RetryListener() {
        @Override
        public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
            retries.increment();
        }
    };

    @Override
    public RetryListener retryListener(String name) {
        return listener;
    }

    /** @return the retries scheduled so far, over every instance */
    long retries() {
        return retries.sum();
    }
}
