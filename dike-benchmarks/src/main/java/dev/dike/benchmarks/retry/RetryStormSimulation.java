package dev.dike.benchmarks.retry;

import dev.dike.retry.Retrier;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.RetryListener;
import dev.dike.retry.RetryOutcome;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retry storm on a virtual clock, driving the real {@link Retrier} (and, when given, the real
 * {@link RetryBudget}): calls arrive at a fixed rate against a dependency whose failure rate changes
 * by phase; every attempt fails at random with the failure rate of the moment it is made. Nothing
 * sleeps: the clock is a {@link ManualDelayScheduler}, attempts and delays run on the caller's
 * thread, so a run is deterministic for a given seed and takes well under a second.
 *
 * <p>Measured per phase (by the time each call started): calls, attempts (what the dependency
 * receives), calls that failed, and calls that ended {@link RetryOutcome#BUDGET_EXHAUSTED}, also
 * counted separately after the first second of the phase (the budget frees itself one tenth of a
 * window at a time, so a phase that follows a storm starts with a spent budget).
 */
public final class RetryStormSimulation {

    /** One phase: how long it lasts and the share of attempts that fail during it. */
    public record Phase(Duration length, double failureRate) {
    }

    /** What the dependency saw and the callers got during one phase. */
    public record PhaseResult(Phase phase, long calls, long attempts, long failedCalls, long budgetExhausted,
            long budgetExhaustedAfterFirstSecond, long budgetLeftAtEnd) {

        /** @return attempts per call: the load multiplier the dependency felt */
        public double attemptsPerCall() {
            return calls == 0 ? 0 : (double) attempts / calls;
        }
    }

    /** The scenario: 10 s failing every attempt, 10 s failing 5 %, 10 s healthy. */
    public static final List<Phase> STORM = List.of(new Phase(Duration.ofSeconds(10), 1.0),
            new Phase(Duration.ofSeconds(10), 0.05), new Phase(Duration.ofSeconds(10), 0.0));

    /** The dependency's failure; shared and stackless, since only its count matters. */
    private static final IllegalStateException UNAVAILABLE = new IllegalStateException("503 Service Unavailable") {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final int callsPerSecond;
    private final RetryConfig config;
    private final long seed;

    /**
     * @param callsPerSecond the arrival rate, evenly spaced
     * @param config         the retry settings (attempts, delays)
     * @param seed           the seed of the failures
     */
    public RetryStormSimulation(int callsPerSecond, RetryConfig config, long seed) {
        this.callsPerSecond = callsPerSecond;
        this.config = config;
        this.seed = seed;
    }

    /** The scenario of the issue and docs/retry.md: 1,000 calls/s, 4 attempts, 50 ms delay doubling. */
    public static RetryStormSimulation standard() {
        return new RetryStormSimulation(1_000, RetryConfig.builder().attempts(4).delay(Duration.ofMillis(50))
                .backoff(2).build(), 42);
    }

    /**
     * Runs the phases with a fresh retrier, and a fresh budget built by {@code budget} unless it is
     * {@code null}.
     *
     * @param phases the phases, in order
     * @param budget builds the budget on the simulation's clock, or {@code null} for no budget
     * @return one result per phase
     */
    public List<PhaseResult> run(List<Phase> phases, Function<ManualDelayScheduler, RetryBudget> budget) {
        // Tens of thousands of retry WARN lines would only slow the run down; the log has its own tests.
        Logger retryLog = (Logger) LoggerFactory.getLogger("dev.dike.retry");
        Level level = retryLog.getLevel();
        retryLog.setLevel(Level.ERROR);
        try {
            return simulate(phases, budget);
        } finally {
            retryLog.setLevel(level);
        }
    }

    private List<PhaseResult> simulate(List<Phase> phases, Function<ManualDelayScheduler, RetryBudget> budget) {
        ManualDelayScheduler clock = new ManualDelayScheduler();
        RetryBudget spent = budget == null ? null : budget.apply(clock);
        long[] phaseEnds = new long[phases.size()];
        long end = 0;
        for (int index = 0; index < phases.size(); index++) {
            end += phases.get(index).length().toNanos();
            phaseEnds[index] = end;
        }
        long[] calls = new long[phases.size()];
        long[] attempts = new long[phases.size()];
        long[] failed = new long[phases.size()];
        long[] exhausted = new long[phases.size()];
        long[] exhaustedLate = new long[phases.size()];
        long[] budgetLeft = new long[phases.size()];
        // The phase of the call being completed: set by the attempt, read by the listener.
        int[] currentCall = new int[1];
        long[] callStarts = new long[1];
        RetryListener outcomes = new RetryListener() {
            @Override
            public void onCompleted(String name, RetryOutcome outcome, int attemptsMade, Throwable error) {
                int phase = currentCall[0];
                if (error != null) {
                    failed[phase]++;
                }
                if (outcome == RetryOutcome.BUDGET_EXHAUSTED) {
                    exhausted[phase]++;
                    long phaseStart = phase == 0 ? 0 : phaseEnds[phase - 1];
                    if (callStarts[0] - phaseStart >= TimeUnit.SECONDS.toNanos(1)) {
                        exhaustedLate[phase]++;
                    }
                }
            }
        };
        Retrier retrier = Retrier.builder("storm").config(config).scheduler(clock).executor(Runnable::run)
                .listener(outcomes).budget(spent).build();
        SplittableRandom random = new SplittableRandom(seed);
        long spacing = TimeUnit.SECONDS.toNanos(1) / callsPerSecond;
        int phase = 0;
        for (long start = 0; start < end; start += spacing) {
            clock.advance(start - clock.nanoTime(), TimeUnit.NANOSECONDS);
            while (start >= phaseEnds[phase]) {
                budgetLeft[phase] = spent == null ? -1 : spent.retriesLeft();
                phase++;
            }
            int callPhase = phase;
            long callStart = start;
            calls[callPhase]++;
            retrier.executeAsync(() -> {
                attempts[callPhase]++;
                currentCall[0] = callPhase;
                callStarts[0] = callStart;
                double rate = phases.get(phaseOf(clock.nanoTime(), phaseEnds)).failureRate();
                return random.nextDouble() < rate ? CompletableFuture.failedFuture(UNAVAILABLE)
                        : CompletableFuture.completedFuture("ok");
            });
        }
        clock.advance(end - clock.nanoTime(), TimeUnit.NANOSECONDS);
        budgetLeft[phases.size() - 1] = spent == null ? -1 : spent.retriesLeft();
        clock.advance(1, TimeUnit.HOURS); // lets the last calls' retries finish
        List<PhaseResult> results = new ArrayList<>();
        for (int index = 0; index < phases.size(); index++) {
            results.add(new PhaseResult(phases.get(index), calls[index], attempts[index], failed[index],
                    exhausted[index], exhaustedLate[index], budgetLeft[index]));
        }
        return results;
    }

    private static int phaseOf(long nanos, long[] phaseEnds) {
        for (int index = 0; index < phaseEnds.length; index++) {
            if (nanos < phaseEnds[index]) {
                return index;
            }
        }
        return phaseEnds.length - 1;
    }
}
