package dev.dike.benchmarks.adaptive;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive limit's claims, checked on the simulation (issue #14's targets), with the backend of
 * {@link Backend.Model#DEFAULT}: 40 workers, 40 ms ± 20 %, 1,000 calls/s. The no-load latency is the
 * mean service time, 40 ms. dike starts at a limit of 20 (half the right one) with every setting at
 * its default; the contender's invariants are checked after every event of every run. The first 5 s
 * of a run are warm-up. Each target is also checked against a fixed limit that misses it, so that a
 * target that cannot fail would show.
 */
class AdaptiveSimulationTest {

    private static final Backend.Model MODEL = Backend.Model.DEFAULT;
    private static final double NO_LOAD_MILLIS = MODEL.serviceNanos() / 1e6;
    private static final double WARM_UP = 5;
    private static final Simulation SIMULATION = new Simulation(MODEL, 42);

    @Test
    void atTwiceTheCapacityGoodputStaysAbove90PercentAndP99Below1Point5TimesTheNoLoadLatency() {
        Scenario overload = Scenario.named("overload-2x");
        Run dike = SIMULATION.run(overload, Contender.dike());
        assertThat(meetsOverloadTargets(dike)).as(describe(dike)).isTrue();

        assertThat(meetsOverloadTargets(SIMULATION.run(overload, Contender.fixed("too high", 4 * MODEL.workers()))))
                .as("a limit 4x too high queues: p99 far above 1.5x").isFalse();
        assertThat(meetsOverloadTargets(SIMULATION.run(overload, Contender.fixed("too low", MODEL.workers() / 2))))
                .as("a limit half the capacity: goodput 50 %").isFalse();
    }

    @Test
    void afterTheCapacityHalvesTheLimitIsWithin15PercentOfTheNewCapacityIn5SecondsAndStaysThere() {
        Scenario halved = Scenario.named("capacity-halved"); // half from 30 s, full again from 60 s
        Run dike = SIMULATION.run(halved, Contender.dike());
        int newCapacity = MODEL.workers() / 2;
        for (double second = 35; second < 60; second += Run.STEP_MILLIS / 1000.0) {
            assertThat(dike.limitAt(second)).as("limit at %.1f s; %s", second, describe(dike))
                    .isBetween((int) Math.ceil(newCapacity * 0.85), (int) Math.floor(newCapacity * 1.15));
        }
        // Capacity back: the limit follows it up again.
        assertThat(dike.limitAt(65)).as(describe(dike)).isGreaterThanOrEqualTo((int) (MODEL.workers() * 0.85));
    }

    @Test
    void afterA500MillisecondPauseTheLimitIsBackAbove80PercentOfItsPreviousValueWithin5Seconds() {
        Scenario pause = Scenario.named("pause-500ms");
        Run dike = SIMULATION.run(pause, Contender.dike());
        double before = dike.meanLimit(pause.pauseSecond() - 5, pause.pauseSecond());
        double recovered = pause.pauseSecond() + pause.pauseMillis() / 1000.0 + 5;
        for (double second = recovered; second < pause.seconds(); second += Run.STEP_MILLIS / 1000.0) {
            assertThat(dike.limitAt(second)).as("limit at %.1f s, %.1f before the pause; %s", second, before,
                    describe(dike)).isGreaterThanOrEqualTo((int) Math.ceil(0.8 * before));
        }
    }

    @Test
    void atHalfTheCapacityNothingIsRejected() {
        Scenario steady = Scenario.named("steady-50");
        Run dike = SIMULATION.run(steady, Contender.dike());
        // The first second: starting at 20 with 20 calls in flight on average, slow start needs a window or two.
        assertThat(dike.rejected(1, steady.seconds())).as(describe(dike)).isZero();
        assertThat(dike.goodput(WARM_UP, steady.seconds())).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02));

        assertThat(SIMULATION.run(steady, Contender.fixed("too low", MODEL.workers() / 2)).rejected(1, steady.seconds()))
                .as("a limit of 20 at 20 calls in flight on average rejects").isPositive();
    }

    @Test
    void fastFailuresAndASlowRampNeitherCollapseNorInflateTheLimit() {
        for (String name : new String[] {"fast-failures-10", "ramp-0-3x"}) {
            Scenario scenario = Scenario.named(name);
            Run dike = SIMULATION.run(scenario, Contender.dike());
            double end = scenario.seconds();
            assertThat(dike.meanLimit(end - 10, end)).as(describe(dike))
                    .isBetween(MODEL.workers() * 0.9, MODEL.workers() * 1.2);
            assertThat(dike.latencyMillis(99, end - 10, end)).as(describe(dike)).isLessThanOrEqualTo(1.5 * NO_LOAD_MILLIS);
        }
    }

    private static boolean meetsOverloadTargets(Run run) {
        double end = run.scenario.seconds();
        return run.goodput(WARM_UP, end) >= 0.9 && run.latencyMillis(99, WARM_UP, end) <= 1.5 * NO_LOAD_MILLIS;
    }

    private static String describe(Run run) {
        double end = run.scenario.seconds();
        return String.format("%s on %s: goodput %.3f of capacity, p50 %.1f ms, p99 %.1f ms, rejected %.1f %%",
                run.contender, run.scenario.name(), run.goodput(WARM_UP, end), run.latencyMillis(50, WARM_UP, end),
                run.latencyMillis(99, WARM_UP, end), 100 * run.rejectionRate(WARM_UP, end));
    }
}
