package dev.dike.spring.metrics;

import dev.dike.batch.BatchListener;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.LimitListener;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryListener;
import dev.dike.spring.DikeInstanceObserver;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Publishes the Micrometer meters of every dike instance: {@code dike.retry.*}, {@code dike.limit.*}
 * and {@code dike.batch.*}, each tagged {@code name} with the instance's name (see
 * {@code docs/metrics.md}). Counters for every outcome are registered when the instance is created,
 * so they appear with 0 before the first call.
 *
 * <p>Each listener it hands out holds its meters, so recording an event never looks anything up in
 * the meter registry. Closing it, which Spring does when the context closes, removes its meters.
 */
public final class MicrometerDikeObserver implements DikeInstanceObserver, AutoCloseable {

    private final MeterFactory meters;

    /**
     * @param registry the registry that receives the meters
     */
    public MicrometerDikeObserver(MeterRegistry registry) {
        this.meters = new MeterFactory(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * @param name the retrier's name
     * @return a listener feeding {@code dike.retry.calls} and {@code dike.retry.attempts}
     */
    @Override
    public RetryListener retryListener(String name) {
        return new RetryMeters(meters, name);
    }

    /**
     * @param name the limiter's name
     * @return a listener feeding {@code dike.limit.calls} and {@code dike.limit.wait}
     */
    @Override
    public LimitListener limitListener(String name) {
        return new LimitMeters(meters, name, LimitMeters.LOCAL);
    }

    /**
     * The listener of a limiter that is not a {@link JobLimiter}, such as a cluster limit: the same
     * {@code dike.limit.calls} and {@code dike.limit.wait} meters as a local limiter's, tagged {@code scope}
     * with its scope, so that a limit's series keep one name whatever its scope.
     *
     * @param name  the limiter's name
     * @param scope the value of the {@code scope} tag: {@code cluster} for a limit shared through Redis
     * @return a listener feeding {@code dike.limit.calls} and {@code dike.limit.wait}
     */
    public LimitListener limitListener(String name, String scope) {
        return new LimitMeters(meters, name, Objects.requireNonNull(scope, "scope"));
    }

    /**
     * Registers the gauges {@code dike.limit.active}, {@code dike.limit.limit} and {@code dike.limit.waiting}
     * of a limiter that is not a {@link JobLimiter}, tagged {@code scope} (see {@link #limitListener(String, String)}).
     *
     * @param name     the limiter's name
     * @param scope    the value of the {@code scope} tag
     * @param limiter  the limiter, read by the gauges (referenced weakly, like every gauge's source)
     * @param inFlight reads the operations holding a permit of this application instance now
     * @param limit    reads the limit in force
     * @param waiting  reads the calls of this application instance waiting for a permit now
     * @param <T>      the limiter's type
     */
    public <T> void limiterCreated(String name, String scope, T limiter, ToIntFunction<T> inFlight,
            ToIntFunction<T> limit, ToIntFunction<T> waiting) {
        LimitMeters.bindGauges(meters, name, Objects.requireNonNull(scope, "scope"), limiter, inFlight, limit, waiting);
    }

    /**
     * @param name the batcher's name
     * @return a listener feeding {@code dike.batch.size}, {@code .wait}, {@code .processing},
     *         {@code .flushes}, {@code .calls} and {@code .deduplicated}
     */
    @Override
    public BatchListener batchListener(String name) {
        return new BatchMeters(meters, name);
    }

    /**
     * Registers the gauge {@code dike.retry.budget.left} when the retrier has a retry budget.
     *
     * @param retrier a retrier that was just created
     */
    @Override
    public void retrierCreated(Retrier retrier) {
        RetryMeters.bindGauges(meters, retrier);
    }

    /**
     * Registers the gauges {@code dike.limit.active}, {@code dike.limit.limit} and
     * {@code dike.limit.waiting}.
     *
     * @param limiter a limiter that was just created
     */
    @Override
    public void limiterCreated(JobLimiter limiter) {
        LimitMeters.bindGauges(meters, limiter);
    }

    /**
     * Registers the gauge {@code dike.batch.queued}.
     *
     * @param batcher a batcher that was just created
     */
    @Override
    public void batcherCreated(Batcher<?, ?> batcher) {
        BatchMeters.bindGauges(meters, batcher);
    }

    /** Removes every meter this observer registered. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
