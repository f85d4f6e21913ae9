package dev.dike.spring.aop;

import dev.dike.annotation.Retry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;
import dev.dike.time.DelayScheduler;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's {@code DelayScheduler} bean and {@code dikeExecutor} bean reach every instance. */
class SchedulerAndExecutorTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class))
            .withBean(FlakyClient.class);

    @Test
    void delaysGoToTheApplicationsSchedulerAndAttemptsToItsExecutor() {
        ImmediateScheduler scheduler = new ImmediateScheduler();
        AtomicInteger executed = new AtomicInteger();
        Executor executor = task -> {
            executed.incrementAndGet();
            task.run();
        };
        runner.withBean(DelayScheduler.class, () -> scheduler)
                .withBean(DikeAutoConfiguration.EXECUTOR_BEAN_NAME, Executor.class, () -> executor)
                .run(context -> {
                    // An hour-long delay that the scheduler skips: the call completes at once.
                    String result = context.getBean(FlakyClient.class).fetch().get(5, TimeUnit.SECONDS);

                    assertThat(result).isEqualTo("ok after 2");
                    // The retry budget's timer asks the same scheduler for a tick within a tenth of its 10 s window.
                    assertThat(scheduler.delaysMillis).filteredOn(delay -> delay > 1_000).containsExactly(3_600_000L);
                    assertThat(scheduler.delaysMillis).filteredOn(delay -> delay <= 1_000).isNotEmpty();
                    assertThat(executed).hasValue(1);
                });
    }

    static class FlakyClient {

        private final AtomicInteger calls = new AtomicInteger();

        @Retry(attempts = 2, delay = "1h")
        public CompletableFuture<String> fetch() {
            return calls.incrementAndGet() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("first"))
                    : CompletableFuture.completedFuture("ok after " + calls.get());
        }
    }

    /** Runs every task at once and records the delay it was asked for. */
    static final class ImmediateScheduler implements DelayScheduler {

        final List<Long> delaysMillis = new CopyOnWriteArrayList<>();

        @Override
        public ScheduledTask schedule(Runnable task, long delay, TimeUnit unit) {
            delaysMillis.add(unit.toMillis(delay));
            task.run();
            return () -> false;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }
}
