package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class RetrierCallTest extends RetryFixture {

    RetrierCallTest() {
        super("sync");
    }

    private static Callable<String> failing(int failures, AtomicInteger calls) {
        return () -> {
            int call = calls.incrementAndGet();
            if (call <= failures) {
                throw new IOException("fail " + call);
            }
            return "ok " + call;
        };
    }

    @Test
    void returnsTheFirstSuccessOnTheCallersThread() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();

        String result = retrier(RetryConfig.builder()).call(() -> {
            threads.add(Thread.currentThread());
            return failing(2, calls).call();
        });

        assertThat(result).isEqualTo("ok 3");
        assertThat(threads).containsOnly(caller);
        assertThat(scheduler.pendingTasks()).isZero(); // the synchronous path never uses the scheduler
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.io.IOException: fail 1. Retrying in 0s ...",
                "Caught exception java.io.IOException: fail 2. Retrying in 0s ...");
        assertThat(listener.events).containsExactly("retry sync #1 fail 1 in 0ns", "retry sync #2 fail 2 in 0ns",
                "completed sync SUCCESS_WITH_RETRY after 3");
    }

    @Test
    void sleepsTheConfiguredDelaysBetweenAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();

        String result = retrier(RetryConfig.builder().attempts(3).delay(Duration.ofMillis(20)).backoff(2))
                .call(failing(2, calls));

        assertThat(result).isEqualTo("ok 3");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
        assertThat(log.warnings()).containsExactly(
                "Caught exception java.io.IOException: fail 1. Retrying in 0.02s ...",
                "Caught exception java.io.IOException: fail 2. Retrying in 0.04s ...");
    }

    @Test
    void throwsTheLastAttemptsOriginalCheckedException() {
        List<IOException> thrown = new ArrayList<>();

        assertThatThrownBy(() -> retrier(RetryConfig.builder().attempts(2)).call(() -> {
            IOException error = new IOException("attempt " + (thrown.size() + 1));
            thrown.add(error);
            throw error;
        })).isSameAs(thrown.get(1));
        assertThat(thrown).hasSize(2);
        assertThat(listener.events).last().isEqualTo("completed sync FAILURE_WITH_RETRY after 2 with attempt 2");
    }

    @Test
    void unwrapsExecutionExceptionsBeforeMatchingAndThrowing() {
        IOException cause = new IOException("inside");

        assertThatThrownBy(() -> retrier(RetryConfig.builder().attempts(2).exceptionTypes(List.of(IOException.class)))
                .call(() -> {
                    throw new ExecutionException(cause);
                })).isSameAs(cause);
        assertThat(log.warnings()).hasSize(1);
    }

    @Test
    void nonMatchingExceptionIsThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException error = new IllegalStateException("no");

        assertThatThrownBy(() -> retrier(RetryConfig.builder().exceptionTypes(List.of(IOException.class))).call(() -> {
            calls.incrementAndGet();
            throw error;
        })).isSameAs(error);
        assertThat(calls).hasValue(1);
        assertThat(log.events()).isEmpty();
        assertThat(listener.events).containsExactly("completed sync IGNORED after 1 with no");
    }

    @Test
    void errorsAreThrownAsTheyAre() {
        StackOverflowError error = new StackOverflowError("deep");

        assertThatThrownBy(() -> retrier(RetryConfig.builder().exceptionTypes(List.of(Throwable.class))).call(() -> {
            throw error;
        })).isSameAs(error);
    }

    @Test
    void throwablesThatAreNeitherExceptionsNorErrorsAreThrownUnchanged() {
        Throwable odd = new Throwable("odd");

        assertThatThrownBy(() -> retrier(RetryConfig.builder().attempts(2).exceptionTypes(List.of(Throwable.class)))
                .call(() -> {
                    throw ExceptionSmuggler.smuggle(odd);
                })).isSameAs(odd);
        assertThat(log.warnings()).hasSize(1);
    }

    @Test
    void interruptedExceptionFromTheOperationIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retrier(RetryConfig.builder()).call(() -> {
            calls.incrementAndGet();
            throw new InterruptedException("stop");
        })).isInstanceOf(InterruptedException.class).hasMessage("stop");
        assertThat(calls).hasValue(1);
    }

    @Test
    void alreadyInterruptedThreadStopsBeforeTheRetry() {
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retrier(RetryConfig.builder()).call(failing(5, calls)))
                    .isInstanceOf(InterruptedException.class).hasMessageContaining("'sync'")
                    .satisfies(error -> assertThat(error.getSuppressed()).singleElement()
                            .satisfies(suppressed -> assertThat(suppressed).hasMessage("fail 1")));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(calls).hasValue(1);
            assertThat(listener.events).containsExactly("retry sync #1 fail 1 in 0ns"); // no onCompleted
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void interruptDuringTheDelayStopsTheRetriesAndKeepsTheFlag() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstFailure = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfterwards = new AtomicBoolean();
        Retrier retrier = retrier(RetryConfig.builder().delay(Duration.ofMinutes(10)));
        Thread caller = new Thread(() -> {
            try {
                retrier.call(() -> {
                    firstFailure.countDown();
                    return failing(5, calls).call();
                });
            } catch (Throwable error) {
                thrown.set(error);
                flagAfterwards.set(Thread.currentThread().isInterrupted());
            }
        });

        caller.start();
        assertThat(firstFailure.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(flagAfterwards).isTrue();
        assertThat(calls).hasValue(1);
    }

    /** Throws any {@link Throwable} from a {@link Callable} body, bypassing the checked-exception rule. */
    static final class ExceptionSmuggler {
        private ExceptionSmuggler() {
        }

        static RuntimeException smuggle(Throwable error) {
            throw ExceptionSmuggler.<RuntimeException>sneaky(error);
        }

        @SuppressWarnings("unchecked")
        private static <E extends Throwable> E sneaky(Throwable error) throws E {
            throw (E) error;
        }
    }
}
