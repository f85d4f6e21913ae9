package dev.dike.limit.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.limit.CompletionListener.Outcome;
import dev.dike.limit.JobLimiter;
import dev.dike.time.ManualDelayScheduler;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Sampling: a limiter whose calls last 1 ms, started {@code perMilli} per millisecond of the virtual clock. */
    private static final class Traffic {

        final ManualDelayScheduler clock = new ManualDelayScheduler();
        final AdaptiveLimit adaptive;
        final JobLimiter limiter;
        private final Deque<CompletableFuture<String>> running = new ArrayDeque<>();

        Traffic(int initialLimit, java.util.function.IntSupplier random) {
            adaptive = AdaptiveLimit.createSampling(JobLimiter.builder("busy").scheduler(clock).executor(Runnable::run),
                    AdaptiveConfig.builder(initialLimit).maxLimit(4096).build(), random);
            limiter = adaptive.limiter();
        }

        /** For {@code millis} ms: each ms the calls started 1 ms ago succeed, and {@code perMilli} new ones start. */
        void run(int perMilli, int millis) {
            for (int tick = 0; tick < millis; tick++) {
                clock.advance(1, TimeUnit.MILLISECONDS);
                while (!running.isEmpty()) {
                    running.poll().complete("ok");
                }
                for (int i = 0; i < perMilli; i++) {
                    CompletableFuture<String> call = new CompletableFuture<>();
                    limiter.executeAsync(() -> call);
                    running.add(call);
                }
                AdaptiveInvariants.check(adaptive);
            }
        }
    }

    @Test
    void atLowTrafficEveryCallIsTimed() {
        AtomicInteger randomsDrawn = new AtomicInteger();
        Traffic traffic = new Traffic(10, randomsDrawn::incrementAndGet);
        traffic.run(1, 2_000); // 1,000 calls/s, 100 per window: the simulation's rate
        traffic.run(20, 1_000); // 2,000 per window: still below twice 1,024

        assertThat(traffic.adaptive.stride()).isEqualTo(1);
        assertThat(randomsDrawn).as("no call was left to chance").hasValue(0);
        assertThat(traffic.adaptive.state().windows()).isGreaterThanOrEqualTo(25);
        assertThat(traffic.adaptive.state().averageInFlight()).isEqualTo(20.0);
    }

    @Test
    void atHighTrafficOneCallInAStrideIsTimedAndStandsForTheOthers() {
        Traffic traffic = new Traffic(1000, new SplittableRandom(42)::nextInt);
        traffic.run(200, 250); // 20,000 calls per 100 ms window
        assertThat(traffic.adaptive.stride()).as("the largest power of two leaving 1,024 timed calls per window")
                .isEqualTo(16);
        traffic.run(200, 500);

        AdaptiveState state = traffic.adaptive.state();
        assertThat(state.recentLatencyMillis()).isEqualTo(1.0);
        // 200 calls of 1 ms each per ms: 200 in flight (Little's law), estimated from about 1,250 timed calls.
        assertThat(state.averageInFlight()).isCloseTo(200.0, org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(traffic.limiter.limit()).as("nothing held back, latency at its baseline: never cut").isEqualTo(1000);
    }

    @Test
    void whenTheTrafficFallsTheStrideFallsWithinAFewWindows() {
        Traffic traffic = new Traffic(1000, new SplittableRandom(7)::nextInt);
        traffic.run(400, 300);
        assertThat(traffic.adaptive.stride()).isEqualTo(32);
        long windows = traffic.adaptive.state().windows();

        traffic.run(1, 600); // 400 times less: about 3 timed calls per window until the stride falls
        assertThat(traffic.adaptive.stride()).isEqualTo(1);
        assertThat(traffic.adaptive.state().windows()).isGreaterThan(windows);
        traffic.run(1, 200);
        assertThat(traffic.adaptive.state().averageInFlight()).isEqualTo(1.0);
    }

    @Test
    void everyTimeoutCountsTimedOrNot() {
        AtomicInteger random = new AtomicInteger(); // 0: timed; -1: not timed, at any stride above 1
        Traffic traffic = new Traffic(1000, random::get);
        traffic.run(200, 250);
        assertThat(traffic.adaptive.stride()).isGreaterThan(1);
        random.set(-1);
        for (int window = 0; window < 3; window++) {
            int before = traffic.limiter.limit();
            List<CompletableFuture<String>> calls = new ArrayList<>();
            int free = traffic.limiter.available();
            for (int i = 0; i < free; i++) {
                CompletableFuture<String> call = new CompletableFuture<>();
                traffic.limiter.executeAsync(() -> call);
                calls.add(call);
            }
            traffic.limiter.executeAsync(CompletableFuture::new); // rejected: the limit binds
            traffic.clock.advance(1, TimeUnit.MILLISECONDS);
            calls.get(0).completeExceptionally(new TimeoutException("caller gave up")); // not timed

            assertThat(traffic.limiter.limit()).as("window %d", window).isEqualTo((int) Math.round(before * 0.9));
            calls.forEach(call -> call.complete("ok"));
        }
    }

    @Test
    void theStrideIsAPowerOfTwoLeavingAtLeast1024TimedCallsPerWindow() {
        long window = TimeUnit.MILLISECONDS.toNanos(100);
        assertThat(AdaptiveLimit.stride(0, window, window)).isEqualTo(1);
        assertThat(AdaptiveLimit.stride(2_047, window, window)).isEqualTo(1);
        assertThat(AdaptiveLimit.stride(2_048, window, window)).isEqualTo(2);
        assertThat(AdaptiveLimit.stride(20_000, window, window)).isEqualTo(16);
        assertThat(AdaptiveLimit.stride(20_000, 4 * window, window)).as("a window kept open longer").isEqualTo(4);
        assertThat(AdaptiveLimit.stride(Long.MAX_VALUE / 2, window, window)).isEqualTo(AdaptiveLimit.MAX_STRIDE);
        assertThat(AdaptiveLimit.stride(5_000, 0, window)).isEqualTo(AdaptiveLimit.MAX_STRIDE);
    }
}
