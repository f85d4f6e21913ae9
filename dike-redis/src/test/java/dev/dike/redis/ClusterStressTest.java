package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 102,000 asynchronous calls across three instances of one cluster limit, with waits that time out,
 * callers that cancel (while waiting, while their grant is on its way, while the operation runs) and
 * operations that fail. Afterwards: every caller completed exactly once, no instance holds or waits for
 * a permit, and Redis holds no lease. An independent gauge shows the limit was never exceeded.
 */
@Tag("redis")
@Tag("stress")
@ExtendWith(RedisServerExtension.class)
class ClusterStressTest {

    private static final int LIMIT = 16;
    private static final int CALLS_PER_INSTANCE = 34_000;
    private static final int OUTSTANDING_PER_INSTANCE = 96;

    private final RedisServer server;

    ClusterStressTest(RedisServer server) {
        this.server = server;
    }

    @Test
    void callsWithCancellationsAndTimeoutsAcrossThreeInstances_completeOnce_leakNoPermit() throws Exception {
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        LongAdder completions = new LongAdder();
        LongAdder succeeded = new LongAdder();
        LongAdder rejected = new LongAdder();
        LongAdder cancelled = new LongAdder();
        LongAdder failed = new LongAdder();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Fleet fleet = new Fleet(server)) {
            List<ClusterLimiter> limiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                limiters.add(fleet.start(Duration.ofSeconds(10)).limiter("stress", LIMIT, Duration.ofMillis(20),
                        LimitListener.NONE));
            }
            List<Thread> drivers = new ArrayList<>();
            for (ClusterLimiter limiter : limiters) {
                Thread driver = new Thread(() -> {
                    Semaphore outstanding = new Semaphore(OUTSTANDING_PER_INSTANCE);
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < CALLS_PER_INSTANCE; i++) {
                        outstanding.acquireUninterruptibly();
                        int kind = random.nextInt(100);
                        AtomicInteger completed = new AtomicInteger();
                        CompletableFuture<Integer> call = limiter.executeAsync(() -> operation(kind, timers, running,
                                maxRunning));
                        call.whenComplete((value, failure) -> {
                            if (completed.incrementAndGet() != 1) {
                                violations.add("completed twice");
                            }
                            completions.increment();
                            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                            if (cause == null) {
                                succeeded.increment();
                            } else if (cause instanceof TooManyCallsException) {
                                rejected.increment();
                            } else if (cause instanceof CancellationException) {
                                cancelled.increment();
                            } else {
                                failed.increment();
                            }
                            outstanding.release();
                        });
                        if (kind < 10) {
                            call.cancel(true); // at once: usually while waiting or before the grant arrives
                        } else if (kind < 15) {
                            timers.schedule(() -> call.cancel(true), random.nextInt(50, 500), TimeUnit.MICROSECONDS);
                        }
                    }
                    outstanding.acquireUninterruptibly(OUTSTANDING_PER_INSTANCE);
                }, "stress-driver");
                drivers.add(driver);
                driver.start();
            }
            for (Thread driver : drivers) {
                driver.join(TimeUnit.MINUTES.toMillis(3));
                assertThat(driver.isAlive()).as("driver finished").isFalse();
            }

            assertThat(violations).isEmpty();
            assertThat(completions.sum()).isEqualTo(3L * CALLS_PER_INSTANCE);
            assertThat(succeeded.sum() + rejected.sum() + cancelled.sum() + failed.sum()).isEqualTo(3L * CALLS_PER_INSTANCE);
            assertThat(succeeded.sum()).isPositive();
            assertThat(rejected.sum()).isPositive();
            assertThat(cancelled.sum()).isPositive();
            assertThat(maxRunning.get()).isLessThanOrEqualTo(LIMIT);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(limiters).allSatisfy(limiter -> {
                    assertThat(limiter.inFlight()).isZero();
                    assertThat(limiter.waiting()).isZero();
                });
                fleet.assertNoLeases("stress");
            });
        } finally {
            timers.shutdownNow();
        }
    }

    /**
     * One operation: succeeds at once, later, or fails. It counts itself in the gauge while its body
     * runs and leaves before its result is signalled, or as its cancellation begins, so the gauge never
     * counts an operation whose permit may already be free.
     */
    private static CompletableFuture<Integer> operation(int kind, ScheduledExecutorService timers, AtomicInteger running,
            AtomicInteger maxRunning) {
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        AtomicBoolean left = new AtomicBoolean();
        Runnable leave = () -> {
            if (left.compareAndSet(false, true)) {
                running.decrementAndGet();
            }
        };
        if (kind % 3 == 0) {
            leave.run();
            return CompletableFuture.completedFuture(kind);
        }
        CompletableFuture<Integer> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                leave.run();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        timers.schedule(() -> {
            leave.run();
            if (kind % 7 == 0) {
                result.completeExceptionally(new IllegalStateException("failed operation"));
            } else {
                result.complete(kind);
            }
        }, ThreadLocalRandom.current().nextInt(0, 400), TimeUnit.MICROSECONDS);
        return result;
    }
}
