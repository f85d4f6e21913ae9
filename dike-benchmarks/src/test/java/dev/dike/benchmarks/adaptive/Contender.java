package dev.dike.benchmarks.adaptive;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.dike.limit.CompletionListener.Outcome;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.adaptive.AdaptiveConfig;
import dev.dike.limit.adaptive.AdaptiveInvariants;
import dev.dike.limit.adaptive.AdaptiveLimit;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A way of limiting calls that the simulation compares: each builds a fresh {@link JobLimiter} per run
 * from a builder already set up for the simulation (virtual clock, same-thread executor, no wait), so
 * admission is the same for all and only the limit differs.
 *
 * @param name    the name in the report
 * @param factory builds the run's limiter
 */
record Contender(String name, Function<JobLimiter.Builder, Limited> factory) {

    /** dike's starting limit in the simulation: half the backend's workers, as a guess that is too low. */
    static final int DIKE_INITIAL = 20;

    /**
     * A run's limiter, and a check of the algorithm's invariants to run at every step.
     *
     * @param limiter    the limiter
     * @param invariants throws if the algorithm's state is inconsistent; does nothing for fixed limits
     */
    record Limited(JobLimiter limiter, Runnable invariants) {
    }

    /** @return dike's adaptive limit with every setting at its default, starting at {@link #DIKE_INITIAL} */
    static Contender dike() {
        return new Contender("dike adaptive", builder -> {
            AdaptiveLimit adaptive = AdaptiveLimit.create(builder, AdaptiveConfig.builder(DIKE_INITIAL).build());
            return new Limited(adaptive.limiter(), () -> AdaptiveInvariants.check(adaptive));
        });
    }

    /** @return a fixed limit */
    static Contender fixed(String label, int limit) {
        return new Contender("fixed " + limit + " (" + label + ")",
                builder -> new Limited(builder.limit(limit).build(), () -> { }));
    }

    /** @return Netflix's Gradient2 with its defaults */
    static Contender gradient2() {
        return netflix("Netflix Gradient2", Gradient2Limit::newDefault);
    }

    /** @return Netflix's Vegas with its defaults */
    static Contender vegas() {
        return netflix("Netflix Vegas", VegasLimit::newDefault);
    }

    /** @return Netflix's AIMD with its defaults */
    static Contender aimd() {
        return netflix("Netflix AIMD", () -> AIMDLimit.newBuilder().build());
    }

    /** @return every contender of the report: dike, three fixed limits around the backend's workers, Netflix's three */
    static List<Contender> all(Backend.Model model) {
        int right = model.workers();
        return List.of(dike(), fixed("too low", right / 2), fixed("right", right), fixed("too high", right * 4),
                gradient2(), vegas(), aimd());
    }

    /**
     * Feeds Netflix's algorithm the samples its own limiter would: a success's latency and in-flight
     * count, a timeout as a drop; failures and cancellations are ignored, as its {@code onIgnore} does.
     */
    private static Contender netflix(String name, Supplier<Limit> algorithm) {
        return new Contender(name, builder -> {
            Limit limit = algorithm.get();
            AtomicReference<JobLimiter> limiter = new AtomicReference<>();
            JobLimiter built = builder.limit(limit.getLimit()).completionListener((granted, completed, outcome) -> {
                if (outcome == Outcome.SUCCESS || outcome == Outcome.TIMEOUT) {
                    // In flight when the call ended, itself included (its permit is already back).
                    int inFlight = limiter.get().inFlight() + 1;
                    limit.onSample(granted, completed - granted, inFlight, outcome == Outcome.TIMEOUT);
                }
            }).build();
            limiter.set(built);
            limit.notifyOnChange(built::setLimit);
            return new Limited(built, () -> { });
        });
    }
}
