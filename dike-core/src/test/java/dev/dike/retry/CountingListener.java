package dev.dike.retry;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counts {@link RetryListener} events without keeping them, for tests that make very many. */
final class CountingListener implements RetryListener {

    final LongAdder retries = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder attempts = new LongAdder();

    @Override
    public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
        retries.increment();
    }

    @Override
    public void onCompleted(String name, RetryOutcome outcome, int attemptsMade, Throwable error) {
        completed.increment();
        attempts.add(attemptsMade);
        if (error != null) {
            failed.increment();
        }
    }
}
