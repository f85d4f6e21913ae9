package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Disposing a reactive retry while the next attempt is being subscribed. The interleaving: attempt 1
 * failed, its delay elapsed and the executor is about to resubscribe; the disposing thread has run
 * the cancel hook (the subscription is flagged cancelled) but its cancel has not reached
 * {@code retryWhen} yet. This test puts the resubscription exactly there: the delay's
 * {@code ScheduledTask.cancel()}, which the cancel hook calls right after setting the flag, runs the
 * executor's pending task. A retry that answered the resubscription with an empty publisher ended the
 * call as {@code SUCCESS_WITHOUT_RETRY} although its only attempt failed; the call must end unreported
 * (a disposed call reports nothing), the operation must not run again, and nothing must stay scheduled.
 */
class ReactorRetryDisposeTest {

    private final RecordingListener listener = new RecordingListener();
    /** The executor's tasks, run only when the test (or the hook below) says. */
    private final Queue<Runnable> executorTasks = new ArrayDeque<>();
    /** The delay timer's task, run by the test as if the delay elapsed. */
    private final Queue<Runnable> timerTasks = new ArrayDeque<>();
    /** Delays cancelled: by then the timer had fired and the executor task was on its way. */
    private final AtomicInteger cancels = new AtomicInteger();

    /** A scheduler whose cancel() lets the executor's pending task run first, as another thread would. */
    private final DelayScheduler racingScheduler = new DelayScheduler() {
        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            timerTasks.add(task);
            return () -> {
                cancels.incrementAndGet();
                runAll(executorTasks);
                return false; // too late: the timer had already fired
            };
        }

        @Override
        public long nanoTime() {
            return 0;
        }
    };

    private Retrier retrier() {
        return Retrier.builder("disposed").scheduler(racingScheduler).executor(executorTasks::add)
                .config(RetryConfig.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .listener(listener).random(() -> 0.5).build();
    }

    private static void runAll(Queue<Runnable> tasks) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    @Test
    void monoDisposedWhileItResubscribesIsNotReportedAsSuccess() {
        assertDisposedDuringResubscribeReportsNothing((retrier, calls) -> ReactorRetry.mono(retrier,
                () -> calls.incrementAndGet() == 1 ? Mono.error(new IllegalStateException("down")) : Mono.just("up"))
                .subscribe());
    }

    @Test
    void fluxDisposedWhileItResubscribesIsNotReportedAsSuccess() {
        assertDisposedDuringResubscribeReportsNothing((retrier, calls) -> ReactorRetry.flux(retrier,
                () -> calls.incrementAndGet() == 1 ? Flux.error(new IllegalStateException("down")) : Flux.just("up"))
                .subscribe());
    }

    private void assertDisposedDuringResubscribeReportsNothing(BiFunction<Retrier, AtomicInteger, Disposable> start) {
        AtomicInteger calls = new AtomicInteger();
        Disposable subscription = start.apply(retrier(), calls);
        assertThat(calls).hasValue(1);
        assertThat(timerTasks).hasSize(1);
        runAll(timerTasks); // the delay elapses: the resubscription is handed to the executor
        assertThat(executorTasks).hasSize(1);

        subscription.dispose(); // the cancel hook's delay.cancel() runs the resubscription

        assertThat(cancels).hasValue(1);
        assertThat(executorTasks).isEmpty();
        assertThat(calls).as("attempts").hasValue(1);
        assertThat(listener.events).containsExactly("retry disposed #1 down in 10000000ns");
        assertThat(timerTasks).isEmpty();
    }

    /** The ordinary case next to it: disposing during the delay, before the timer fires, reports nothing either. */
    @Test
    void monoDisposedDuringItsDelayReportsNothing() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<Mono<String>> attempt = () -> {
            calls.incrementAndGet();
            return Mono.error(new IllegalStateException("down"));
        };
        Disposable subscription = ReactorRetry.mono(retrier(), attempt).subscribe();

        subscription.dispose();
        runAll(timerTasks);
        runAll(executorTasks);

        assertThat(calls).hasValue(1);
        assertThat(listener.events).containsExactly("retry disposed #1 down in 10000000ns");
        assertThat(executorTasks).isEmpty();
    }
}
