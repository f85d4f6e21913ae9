package dev.dike.benchmarks.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dike.benchmarks.retry.RetryStormSimulation.PhaseResult;
import dev.dike.retry.RetryBudget;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The retry storm of docs/retry.md, asserted: 1,000 calls/s for 30 s, failing 100 %, then 5 %, then
 * 0 %, 4 attempts, through the real Retrier with the default budget and without one, and through
 * Resilience4j's Retry and Spring's RetryTemplate making the same attempts after the same delays.
 */
class RetryStormSimulationTest {

    private static final RetryStormSimulation simulation = RetryStormSimulation.standard();
    /** dike without a budget, the yardstick of the peers: run once for the class. */
    private static final List<PhaseResult> without = simulation.run(RetryStormSimulation.STORM,
            StormContenders.dike("dike, no budget", null));

    @Test
    void defaultBudgetCapsTheStormAndStaysOutOfTheWayOtherwise() {
        List<PhaseResult> withBudget = simulation.run(RetryStormSimulation.STORM,
                StormContenders.dike("dike, default budget", clock -> RetryBudget.builder("storm").clock(clock).build()));

        // Failing 100 %: without a budget every call makes its 4 attempts (but the last calls, whose
        // retries reach the 5 % phase); with it, at most 1.2 per call.
        assertThat(without.get(0).attemptsPerCall()).isGreaterThan(3.95);
        assertThat(withBudget.get(0).attemptsPerCall()).isLessThanOrEqualTo(1.2);
        assertThat(withBudget.get(0).budgetExhausted()).isPositive();
        // Failing 5 %: every failed call is retried once the storm's retries left the first tenth of the window.
        assertThat(withBudget.get(1).budgetExhaustedAfterFirstSecond()).isZero();
        assertThat(withBudget.get(1).failedCalls()).isEqualTo(without.get(1).failedCalls());
        // Healthy: nothing is refused, and the budget is full again (10 % of the calls in the window + reserve).
        assertThat(withBudget.get(2).budgetExhausted()).isZero();
        assertThat(withBudget.get(2).budgetLeftAtEnd()).isGreaterThanOrEqualTo(900 + 100);
        for (int phase = 0; phase < 3; phase++) {
            assertThat(withBudget.get(phase).calls()).isEqualTo(10_000);
        }
    }

    @Test
    void resilience4jRetriesLikeDikeWithoutABudgetAndMultipliesTheLoadByFour() {
        assertLikeDikeWithoutBudget(simulation.run(RetryStormSimulation.STORM, StormContenders.resilience4j()));
    }

    @Test
    void springRetryTemplateRetriesLikeDikeWithoutABudgetAndMultipliesTheLoadByFour() {
        assertLikeDikeWithoutBudget(simulation.run(RetryStormSimulation.STORM, StormContenders.springRetryTemplate()));
    }

    /**
     * A peer with the same attempts and delays and no budget: the same load as dike without one, phase
     * by phase (within the noise of other random draws), and nothing refused.
     */
    private void assertLikeDikeWithoutBudget(List<PhaseResult> peer) {
        assertThat(peer.get(0).attemptsPerCall()).isGreaterThan(3.95);
        for (int phase = 0; phase < 3; phase++) {
            PhaseResult result = peer.get(phase);
            assertThat(result.calls()).isEqualTo(10_000);
            assertThat(result.attemptsPerCall()).as("attempts per call, phase %d", phase + 1)
                    .isCloseTo(without.get(phase).attemptsPerCall(), within(0.01));
            assertThat(result.failedCalls()).as("failed calls, phase %d", phase + 1)
                    .isCloseTo(without.get(phase).failedCalls(), within(100L));
            assertThat(result.budgetExhausted()).isZero();
            assertThat(result.budgetLeftAtEnd()).isEqualTo(-1);
        }
        // Healthy: one attempt per call, exactly.
        assertThat(peer.get(2).attempts()).isEqualTo(10_000);
    }
}
