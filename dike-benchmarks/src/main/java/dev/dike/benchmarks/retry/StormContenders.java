package dev.dike.benchmarks.retry;

import dev.dike.benchmarks.retry.RetryStormSimulation.Attempt;
import dev.dike.benchmarks.retry.RetryStormSimulation.Caller;
import dev.dike.benchmarks.retry.RetryStormSimulation.Contender;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * The retries {@link RetryStormSimulation} compares, each built from the simulation's
 * {@link RetryConfig} (attempts, first delay, backoff factor), so that they all make the same attempts
 * after the same delays and differ only in what they decide:
 * <ul>
 *   <li>dike's {@link Retrier}, without a budget and with one;</li>
 *   <li>Resilience4j's {@link Retry} (the version the benchmarks use), asynchronous: it waits between
 *       attempts on a {@link java.util.concurrent.ScheduledExecutorService}, here one on the virtual
 *       clock ({@link VirtualScheduledExecutor});</li>
 *   <li>Spring Framework 7's {@link RetryTemplate} with a {@link RetryPolicy}. The template blocks its
 *       thread in {@code Thread.sleep} between attempts and takes no clock, so it cannot wait on a
 *       virtual one. Its policy's own back-off decides each delay (and when to stop), and a wrapper
 *       adds that delay to the call's virtual time instead of letting the template sleep; each call
 *       thus runs to its end when it arrives, every attempt at the virtual time it would have been
 *       made. Spring's retry shares nothing between calls, so running them one after the other
 *       changes which random draw each attempt gets, not what the phases see.</li>
 * </ul>
 * Jitter and a maximum delay are not translated: the two peers refuse a configuration with either.
 */
public final class StormContenders {

    private StormContenders() {
    }

    /**
     * @param budget builds the budget on the simulation's clock, or {@code null} for none
     * @param name   the contender's name in the table
     * @return dike's {@link Retrier}
     */
    public static Contender dike(String name, Function<ManualDelayScheduler, RetryBudget> budget) {
        return new Contender(name, (clock, config, budgetExhausted) -> {
            RetryBudget spent = budget == null ? null : budget.apply(clock);
            RetryListener outcomes = new RetryListener() {
                @Override
                public void onCompleted(String retrier, RetryOutcome outcome, int attempts, Throwable error) {
                    if (outcome == RetryOutcome.BUDGET_EXHAUSTED) {
                        budgetExhausted.run();
                    }
                }
            };
            Retrier retrier = Retrier.builder("storm").config(config).scheduler(clock).executor(Runnable::run)
                    .listener(outcomes).budget(spent).build();
            return new Caller() {
                @Override
                public CompletionStage<?> call(Attempt attempt) {
                    return retrier.executeAsync(() -> attempt.at(clock.nanoTime()));
                }

                @Override
                public long budgetLeft() {
                    return spent == null ? -1 : spent.retriesLeft();
                }
            };
        });
    }

    /** @return Resilience4j's asynchronous {@link Retry}: same attempts, exponential back-off, no budget */
    public static Contender resilience4j() {
        return new Contender("Resilience4j Retry", (clock, config, budgetExhausted) -> {
            requireTranslatable(config);
            Retry retry = Retry.of("storm", io.github.resilience4j.retry.RetryConfig.custom()
                    .maxAttempts(config.attempts())
                    .intervalFunction(IntervalFunction.ofExponentialBackoff(config.delay(), config.backoff()))
                    .build());
            VirtualScheduledExecutor scheduler = new VirtualScheduledExecutor(clock);
            return attempt -> retry.executeCompletionStage(scheduler, () -> attempt.at(clock.nanoTime()));
        });
    }

    /** @return Spring Framework 7's {@link RetryTemplate}: same attempts, exponential back-off, no budget */
    public static Contender springRetryTemplate() {
        return new Contender("Spring RetryTemplate", (clock, config, budgetExhausted) -> {
            requireTranslatable(config);
            RetryPolicy policy = RetryPolicy.builder().maxRetries(config.attempts() - 1L).delay(config.delay())
                    .multiplier(config.backoff()).build();
            VirtualTimeBackOff virtualTime = new VirtualTimeBackOff(policy.getBackOff());
            RetryTemplate template = new RetryTemplate(new RetryPolicy() {
                @Override
                public boolean shouldRetry(Throwable throwable) {
                    return policy.shouldRetry(throwable);
                }

                @Override
                public Duration getTimeout() {
                    return policy.getTimeout();
                }

                @Override
                public BackOff getBackOff() {
                    return virtualTime;
                }
            });
            return attempt -> {
                long start = clock.nanoTime();
                virtualTime.elapsedNanos = 0;
                try {
                    return CompletableFuture.completedFuture(template.execute(
                            () -> result(attempt.at(start + virtualTime.elapsedNanos))));
                } catch (RetryException exhausted) {
                    return CompletableFuture.failedFuture(exhausted.getLastException());
                }
            };
        });
    }

    /** The result of an attempt the simulation answered at once: its value, or its failure thrown. */
    private static String result(CompletionStage<String> attempt) throws Throwable {
        try {
            return attempt.toCompletableFuture().join();
        } catch (CompletionException failed) {
            throw failed.getCause();
        }
    }

    private static void requireTranslatable(RetryConfig config) {
        if (config.jitter() != 0 || config.maxDelay() != null || config.attempts() < 1) {
            throw new IllegalArgumentException("Only attempts, delay and backoff are given to the other retries: " + config);
        }
    }

    /**
     * Spring's back-off with its sleeps taken out: each delay it decides is added to the current call's
     * virtual time, and the template is told to wait 0 ms. Used by one simulation thread.
     */
    private static final class VirtualTimeBackOff implements BackOff {

        private final BackOff decides;
        /** The delays of the call in progress so far. */
        long elapsedNanos;

        VirtualTimeBackOff(BackOff decides) {
            this.decides = decides;
        }

        @Override
        public BackOffExecution start() {
            BackOffExecution execution = decides.start();
            return () -> {
                long delayMillis = execution.nextBackOff();
                if (delayMillis == BackOffExecution.STOP) {
                    return BackOffExecution.STOP;
                }
                elapsedNanos += TimeUnit.MILLISECONDS.toNanos(delayMillis);
                return 0;
            };
        }
    }
}
