package dev.dike.spring.metrics;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.LimitListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/** The meters of one limiter, looked up once so that recording an event costs no registry lookup. */
final class LimitMeters implements LimitListener {

    static final String CALLS = "dike.limit.calls";
    static final String WAIT = "dike.limit.wait";
    static final String ACTIVE = "dike.limit.active";
    static final String LIMIT = "dike.limit.limit";
    static final String WAITING = "dike.limit.waiting";

    private static final String CALLS_DESCRIPTION = "Calls that got a permit or were rejected";
    private static final String WAIT_DESCRIPTION = "Time calls waited for a permit, by whether they got one";

    private final Counter permitted;
    private final Counter rejected;
    private final Timer permittedWait;
    private final Timer rejectedWait;

    /** Tag of every limit meter: {@code local}, or {@code cluster} for limits shared through Redis. */
    static final String SCOPE = "scope";
    static final String LOCAL = "local";

    LimitMeters(MeterFactory meters, String name, String scope) {
        this.permitted = meters.counter(CALLS, name, CALLS_DESCRIPTION, "calls", "outcome", "permitted", SCOPE, scope);
        this.rejected = meters.counter(CALLS, name, CALLS_DESCRIPTION, "calls", "outcome", "rejected", SCOPE, scope);
        this.permittedWait = meters.timer(WAIT, name, WAIT_DESCRIPTION, "outcome", "permitted", SCOPE, scope);
        this.rejectedWait = meters.timer(WAIT, name, WAIT_DESCRIPTION, "outcome", "rejected", SCOPE, scope);
    }

    /** Registers the gauges that read the limiter's live state. */
    static void bindGauges(MeterFactory meters, JobLimiter limiter) {
        bindGauges(meters, limiter.name(), LOCAL, limiter, JobLimiter::inFlight, JobLimiter::limit, JobLimiter::waiting);
    }

    /** Registers the gauges of a limiter of any scope, reading its live state through the given functions. */
    static <T> void bindGauges(MeterFactory meters, String name, String scope, T limiter, ToIntFunction<T> inFlight,
            ToIntFunction<T> limit, ToIntFunction<T> waiting) {
        meters.gauge(ACTIVE, name, "Operations holding a permit now", "calls", limiter, inFlight::applyAsInt, SCOPE, scope);
        meters.gauge(LIMIT, name, "Maximum number of operations in flight", "calls", limiter, limit::applyAsInt, SCOPE, scope);
        meters.gauge(WAITING, name, "Calls waiting for a permit now", "calls", limiter, waiting::applyAsInt, SCOPE, scope);
    }

    @Override
    public void onPermitted(String name, long waitNanos) {
        permitted.increment();
        permittedWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onRejected(String name, long waitNanos) {
        rejected.increment();
        rejectedWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }
}
