package dev.dike.benchmarks.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.benchmarks.retry.RetryStormSimulation.PhaseResult;
import dev.dike.retry.RetryBudget;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The retry storm of docs/retry.md, asserted: 1,000 calls/s for 30 s, failing 100 %, then 5 %, then
 * 0 %, 4 attempts, through the real Retrier with the default budget and without one.
 */
class RetryStormSimulationTest {

    private final RetryStormSimulation simulation = RetryStormSimulation.standard();

    @Test
    void defaultBudgetCapsTheStormAndStaysOutOfTheWayOtherwise() {
        List<PhaseResult> withBudget = simulation.run(RetryStormSimulation.STORM,
                clock -> RetryBudget.builder("storm").clock(clock).build());
        List<PhaseResult> without = simulation.run(RetryStormSimulation.STORM, null);

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
}
