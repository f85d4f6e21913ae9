package dev.dike.sample.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedWorkersTest {

    private final SimulatedWorkers workers = new SimulatedWorkers();

    @Test
    void callsWithinCapacityAreServedAtOnce() {
        assertThat(workers.reserve(2, 1_000, 20)).isEqualTo(20);
        assertThat(workers.reserve(2, 1_000, 30)).isEqualTo(30);
    }

    @Test
    void callsBeyondCapacityQueueForTheWorkerThatFreesUpFirst() {
        workers.reserve(2, 1_000, 20);   // worker A busy until 1020
        workers.reserve(2, 1_000, 50);   // worker B busy until 1050

        assertThat(workers.reserve(2, 1_005, 10)).as("waits 15 for A, then 10").isEqualTo(25);
        assertThat(workers.reserve(2, 1_005, 10)).as("A is now busy until 1030").isEqualTo(35);
    }

    @Test
    void idleWorkersDoNotBankTime() {
        workers.reserve(1, 1_000, 20);

        assertThat(workers.reserve(1, 5_000, 20)).isEqualTo(20);
    }

    @Test
    void aChangedWorkerCountTakesEffectAtOnce() {
        workers.reserve(1, 0, 100);

        assertThat(workers.reserve(2, 0, 10)).as("a new, idle worker").isEqualTo(10);
        assertThat(workers.reserve(1, 0, 10)).as("back to the first, busy worker").isEqualTo(110);
    }

    @Test
    void nanoTimeMayBeNegative() {
        workers.reserve(1, Long.MIN_VALUE + 10, 100);

        assertThat(workers.reserve(1, Long.MIN_VALUE + 20, 5)).isEqualTo(95);
    }
}
