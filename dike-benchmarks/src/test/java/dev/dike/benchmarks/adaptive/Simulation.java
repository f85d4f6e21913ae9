package dev.dike.benchmarks.adaptive;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.time.ManualDelayScheduler;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A discrete-event simulation of callers, a limiter and a {@link Backend}, on the virtual clock
 * ({@link ManualDelayScheduler}): nothing sleeps, and a minute of traffic runs in a fraction of a
 * second. Everything runs on the calling thread, the limiter's executor included, in time order; the
 * random sources are seeded, so a run is reproducible, and the arrivals and service times do not
 * depend on the contender (each has its own source), so every contender sees the same traffic.
 *
 * <p>Arrivals are open-loop (a Poisson process whose rate follows the scenario's load): callers do
 * not slow down when the backend does, as users of a service do not. Each arrival calls the real
 * {@link JobLimiter#executeAsync}; a rejected call is counted and gone. The backend's capacity steps
 * and its pause are scheduled events. After every event, the contender's invariants are checked.
 */
final class Simulation {

    private final Backend.Model model;
    private final long seed;

    Simulation(Backend.Model model, long seed) {
        this.model = model;
        this.seed = seed;
    }

    /** Runs {@code scenario} against {@code contender} and returns what it recorded. */
    Run run(Scenario scenario, Contender contender) {
        ManualDelayScheduler clock = new ManualDelayScheduler();
        Backend backend = new Backend(model, clock, seed, scenario.fastFailures());
        JobLimiter.Builder builder = JobLimiter.builder(contender.name()).scheduler(clock).executor(Runnable::run)
                .maxWait(Duration.ZERO);
        Contender.Limited limited = contender.factory().apply(builder);
        JobLimiter limiter = limited.limiter();
        Run run = new Run(scenario, contender.name(), model);
        Random arrivals = new Random(seed);
        long end = TimeUnit.SECONDS.toNanos(scenario.seconds());

        scenario.capacity().forEach((second, fraction) -> clock.schedule(() -> backend.capacity(fraction),
                (long) (second * 1e9), TimeUnit.NANOSECONDS));
        if (scenario.pauseSecond() >= 0) {
            clock.schedule(() -> backend.pause(TimeUnit.MILLISECONDS.toNanos(scenario.pauseMillis())),
                    (long) (scenario.pauseSecond() * 1e9), TimeUnit.NANOSECONDS);
        }
        for (int i = 0; i * Run.STEP_MILLIS * 1_000_000L <= end; i++) {
            int index = i;
            clock.schedule(() -> run.step(index, limiter.limit(), limiter.inFlight()),
                    index * Run.STEP_MILLIS * 1_000_000L, TimeUnit.NANOSECONDS);
        }
        new Object() {
            void next() {
                double second = clock.nanoTime() / 1e9;
                double rate = scenario.loadAt(second) * model.callsPerSecond();
                long gap = rate <= 0 ? TimeUnit.MILLISECONDS.toNanos(10)
                        : (long) (-Math.log(1.0 - arrivals.nextDouble()) / rate * 1e9);
                clock.schedule(() -> {
                    if (rate > 0) {
                        arrive();
                    }
                    next();
                }, gap, TimeUnit.NANOSECONDS);
            }

            void arrive() {
                long arrived = clock.nanoTime();
                limiter.executeAsync(backend::submit).whenComplete((value, error) -> {
                    if (error == null) {
                        run.success(clock.nanoTime(), clock.nanoTime() - arrived);
                    } else if (error instanceof TooManyCallsException) {
                        run.rejected(arrived);
                    } else {
                        run.failure();
                    }
                    limited.invariants().run();
                });
            }
        }.next();
        clock.advance(end, TimeUnit.NANOSECONDS);
        return run;
    }
}
