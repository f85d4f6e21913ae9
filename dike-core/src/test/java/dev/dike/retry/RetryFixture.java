package dev.dike.retry;

import dev.dike.time.ManualDelayScheduler;

import org.junit.jupiter.api.AfterEach;

/**
 * Shared set-up of the retry tests: a manual clock, a recording listener and captured log lines,
 * and retriers that run attempts on the calling thread with a random source of 0.5 (jitter-neutral).
 */
abstract class RetryFixture {

    final ManualDelayScheduler scheduler = new ManualDelayScheduler();
    final RecordingListener listener = new RecordingListener();
    final RetryLogCapture log = new RetryLogCapture();
    private final String name;

    RetryFixture(String name) {
        this.name = name;
    }

    @AfterEach
    void closeLog() {
        log.close();
    }

    Retrier retrier(RetryConfig.Builder config) {
        return Retrier.builder(name).config(config.build()).scheduler(scheduler).executor(Runnable::run)
                .listener(listener).random(() -> 0.5).build();
    }
}
