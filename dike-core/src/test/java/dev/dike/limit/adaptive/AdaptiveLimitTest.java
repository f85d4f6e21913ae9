package dev.dike.limit.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.limit.CompletionListener.Outcome;
import dev.dike.limit.JobLimiter;
import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter between a real {@link JobLimiter} and the algorithm, on the virtual clock. */
class AdaptiveLimitTest {

    private final ManualDelayScheduler clock = new ManualDelayScheduler();
    private final AdaptiveLimit adaptive = AdaptiveLimit.create(
            JobLimiter.builder("backend").scheduler(clock).executor(Runnable::run), AdaptiveConfig.builder(10).build());
    private final JobLimiter limiter = adaptive.limiter();

    @AfterEach
    void invariantsHold() {
        AdaptiveInvariants.check(adaptive);
    }

    /** Starts {@code count} calls now; returns their futures, for the test to complete. */
    private List<CompletableFuture<String>> start(int count) {
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<String> call = new CompletableFuture<>();
            limiter.executeAsync(() -> call);
            calls.add(call);
        }
        return calls;
    }

    private void advanceMillis(long millis) {
        clock.advance(millis, TimeUnit.MILLISECONDS);
    }

    /** One window: 10 calls in flight for 40 ms, five times, plus {@code rejected} extra calls rejected. */
    private void busyWindow(int rejected, double rttMillis) {
        for (int round = 0; round < 5; round++) {
            List<CompletableFuture<String>> calls = start(limiter.limit());
            start(rejected); // beyond the limit: rejected at once
            rejected = 0;
            advanceMillis((long) rttMillis);
            calls.forEach(call -> call.complete("ok"));
        }
    }

    @Test
    void startsAtTheInitialLimitAndDoublesWhileCallsAreRejectedWithoutQueueing() {
        assertThat(limiter.limit()).isEqualTo(10);
        assertThat(adaptive.state().slowStart()).isTrue();
        busyWindow(3, 40); // 200 ms of 50 samples: the window closes on the first completion after 100 ms
        busyWindow(3, 40);
        assertThat(limiter.limit()).isGreaterThanOrEqualTo(20);
        AdaptiveState state = adaptive.state();
        assertThat(state.limit()).isEqualTo(limiter.limit());
        assertThat(state.baselineLatencyMillis()).isEqualTo(40.0);
        assertThat(state.recentLatencyMillis()).isEqualTo(40.0);
        assertThat(state.windows()).isPositive();
    }

    @Test
    void fastFailuresAreNotTakenForFastSuccesses() {
        for (int round = 0; round < 10; round++) {
            List<CompletableFuture<String>> ok = start(5);
            List<CompletableFuture<String>> failing = start(5);
            advanceMillis(1);
            failing.forEach(call -> call.completeExceptionally(new IOException("fast failure")));
            advanceMillis(39);
            ok.forEach(call -> call.complete("ok"));
        }
        // Had the failures counted, the mean would be about 20 ms.
        assertThat(adaptive.state().recentLatencyMillis()).isEqualTo(40.0);
    }

    @Test
    void aTimeoutClosesTheWindowAndCutsABindingLimit() {
        busyWindow(0, 40);
        busyWindow(0, 40);
        int before = limiter.limit();
        List<CompletableFuture<String>> calls = start(before);
        start(1); // rejected: the limit binds
        advanceMillis(40);
        calls.get(0).completeExceptionally(new TimeoutException("caller gave up"));
        assertThat(limiter.limit()).isEqualTo((int) Math.round(before * 0.9));
    }

    @Test
    void aTimeoutRacingACloserThatPostponesTheWindowStillClosesItAtOnce() {
        // The interleaving: a closer finds too few samples and no drop; before it pushes the deadline
        // back, a call times out, counts its drop, brings the deadline forward and tries to close the
        // window, but the closer holds the flag. Without a second look the closer's push back wins and
        // the timeout is acted on up to window/10 later, or never if no call completes after it.
        long windowNanos = AdaptiveConfig.DEFAULT_WINDOW.toNanos();
        AtomicReference<AdaptiveLimit> self = new AtomicReference<>();
        AtomicBoolean raced = new AtomicBoolean();
        AdaptiveLimit racing = AdaptiveLimit.create(JobLimiter.builder("racing").scheduler(clock),
                AdaptiveConfig.builder(10).build(), () -> {
                    if (raced.compareAndSet(false, true)) {
                        self.get().onCompleted(0, windowNanos + 1, Outcome.TIMEOUT); // finds the flag taken
                    }
                });
        self.set(racing);
        racing.onCompleted(0, 0, Outcome.SUCCESS); // opens the first window, deadline windowNanos
        racing.onCompleted(0, windowNanos, Outcome.SUCCESS); // too few samples: this closer runs the race

        assertThat(raced).isTrue();
        assertThat(racing.state().windows()).isEqualTo(1); // judged at once, on the drop
        AdaptiveInvariants.check(racing);
    }

    @Test
    void aWindowIsNotJudgedOnTooFewSamples() {
        List<CompletableFuture<String>> calls = start(AdaptiveLimit.MIN_SAMPLES - 1);
        start(5);
        advanceMillis(500);
        calls.forEach(call -> call.complete("ok"));
        assertThat(adaptive.state().windows()).isZero();
        assertThat(limiter.limit()).isEqualTo(10);
    }
}
