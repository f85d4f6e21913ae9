package dev.dike.benchmarks.retry;

import dev.dike.retry.Retrier;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.RetryOutcome;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retry storm on a virtual clock, driving real retries: dike's {@link Retrier} (with and without a
 * {@link RetryBudget}) and, side by side, Resilience4j's and Spring's (see {@link StormContenders}).
 * Calls arrive at a fixed rate against a dependency whose failure rate changes by phase; every
 * attempt fails at random with the failure rate of the moment it is made. Nothing sleeps: the clock
 * is a {@link ManualDelayScheduler}, attempts and delays run on the caller's thread, so a run is
 * deterministic for a given seed and takes well under a second.
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

    /**
     * One retry implementation the storm is run against.
     *
     * @param name    its name in the table
     * @param factory builds a fresh retrier for each run
     */
    public record Contender(String name, Factory factory) {
    }

    /** Builds a contender's retrier. */
    @FunctionalInterface
    public interface Factory {

        /**
         * @param clock           the simulation's clock: every delay must wait on it
         * @param config          the attempts and delays every contender makes
         * @param budgetExhausted to run once for each call that ended because a budget refused its retry,
         *                        right after that call's last attempt
         * @return a fresh retrier
         */
        Caller start(ManualDelayScheduler clock, RetryConfig config, Runnable budgetExhausted);
    }

    /** A contender's retrier, on the simulation's clock. */
    @FunctionalInterface
    public interface Caller {

        /**
         * Makes one call with retries.
         *
         * @param attempt makes one attempt, answered at once
         * @return completes when the call ended: with a value, or with the failure its caller gets
         */
        CompletionStage<?> call(Attempt attempt);

        /** @return retries its budget allows now, or -1 when it has none */
        default long budgetLeft() {
            return -1;
        }
    }

    /** One attempt at the dependency. */
    @FunctionalInterface
    public interface Attempt {

        /**
         * @param nanos the virtual time at which the attempt is made: the clock's now, unless the
         *              contender keeps its own time (see {@link StormContenders#springRetryTemplate()})
         * @return a stage already completed: succeeded, or failed with the failure rate at {@code nanos}
         */
        CompletionStage<String> at(long nanos);
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
     * Runs the phases with a fresh retrier of the contender.
     *
     * @param phases    the phases, in order
     * @param contender the retry under test
     * @return one result per phase
     */
    public List<PhaseResult> run(List<Phase> phases, Contender contender) {
        // Tens of thousands of retry WARN lines would only slow the run down; the log has its own tests.
        Logger retryLog = (Logger) LoggerFactory.getLogger("dev.dike.retry");
        Level level = retryLog.getLevel();
        retryLog.setLevel(Level.ERROR);
        try {
            return simulate(phases, contender);
        } finally {
            retryLog.setLevel(level);
        }
    }

    private List<PhaseResult> simulate(List<Phase> phases, Contender contender) {
        ManualDelayScheduler clock = new ManualDelayScheduler();
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
        // The phase and start of the call whose attempt was made last: a budget refuses right after it.
        int[] currentCall = new int[1];
        long[] callStarts = new long[1];
        Runnable refused = () -> {
            int phase = currentCall[0];
            exhausted[phase]++;
            long phaseStart = phase == 0 ? 0 : phaseEnds[phase - 1];
            if (callStarts[0] - phaseStart >= TimeUnit.SECONDS.toNanos(1)) {
                exhaustedLate[phase]++;
            }
        };
        Caller caller = contender.factory().start(clock, config, refused);
        SplittableRandom random = new SplittableRandom(seed);
        long spacing = TimeUnit.SECONDS.toNanos(1) / callsPerSecond;
        int phase = 0;
        for (long start = 0; start < end; start += spacing) {
            clock.advance(start - clock.nanoTime(), TimeUnit.NANOSECONDS);
            while (start >= phaseEnds[phase]) {
                budgetLeft[phase] = caller.budgetLeft();
                phase++;
            }
            int callPhase = phase;
            long callStart = start;
            calls[callPhase]++;
            caller.call(nanos -> {
                attempts[callPhase]++;
                currentCall[0] = callPhase;
                callStarts[0] = callStart;
                double rate = phases.get(phaseOf(nanos, phaseEnds)).failureRate();
                return random.nextDouble() < rate ? CompletableFuture.failedFuture(UNAVAILABLE)
                        : CompletableFuture.completedFuture("ok");
            }).whenComplete((value, error) -> {
                if (error != null) {
                    failed[callPhase]++;
                }
            });
        }
        clock.advance(end - clock.nanoTime(), TimeUnit.NANOSECONDS);
        budgetLeft[phases.size() - 1] = caller.budgetLeft();
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
