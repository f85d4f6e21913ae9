package dev.dike.retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link RetryListener} event as a readable line, for exact assertions. */
final class RecordingListener implements RetryListener {

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onRetryScheduled(String name, int failedAttempt, Throwable error, Duration delay) {
        events.add("retry " + name + " #" + failedAttempt + " " + error.getMessage() + " in " + delay.toNanos() + "ns");
        errors.add(error);
    }

    @Override
    public void onRetryAfterTooLong(String name, int failedAttempt, Throwable error) {
        events.add("retry-after too long " + name + " #" + failedAttempt + " " + error.getMessage());
    }

    @Override
    public void onCompleted(String name, RetryOutcome outcome, int attempts, Throwable error) {
        events.add("completed " + name + " " + outcome + " after " + attempts
                + (error == null ? "" : " with " + error.getMessage()));
        if (error != null) {
            errors.add(error);
        }
    }
}
