package dev.dike.spring;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.BatchOperation;
import dev.dike.batch.BatchRunContext;
import dev.dike.batch.Batcher;
import dev.dike.context.ContextCarrier;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.adaptive.AdaptiveConfig;
import dev.dike.limit.adaptive.AdaptiveLimit;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryAfter;
import dev.dike.retry.RetryConfig;
import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every dike instance of the application, by name: one retrier, limiter or batcher per name,
 * shared by every method that uses that name. The interceptors create instances through it; the actuator
 * endpoint and the metrics read it; an application may look instances up to inspect or tune them.
 *
 * <p>Each {@code retrier}, {@code limiter} and {@code batcher} call is a get-or-create: the first
 * request for a name creates the instance, asking every {@link DikeInstanceObserver} for a listener
 * and telling each one once it exists; later requests for that name get the same instance, provided
 * they ask for the configuration it was created with (runtime changes such as
 * {@link JobLimiter#setLimit(int)} do not count). A request with another configuration fails with an
 * {@link IllegalStateException} naming the name and both configurations.
 *
 * <p>With {@link DikeInstanceContexts}, every instance gets its context hooks when it is created, so
 * that a call's tracing and logging context follows it across dike's thread hops.
 *
 * <p>{@link #close()} closes every batcher, which flushes its queued calls; the auto-configuration
 * calls it when the application context closes.
 */
public final class DikeRegistry implements AutoCloseable {

    /** Reads Retry-After from Spring's HTTP client exceptions, then from dike's interface. */
    private static final RetryAfter.Source RETRY_AFTER = HttpRetryAfter.withSystemClock();

    private final ConcurrentSkipListMap<String, Retrier> retriers = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, JobLimiter> limiters = new ConcurrentSkipListMap<>();
    /** The adaptive limits among the limiters, by the same name. */
    private final Map<String, AdaptiveLimit> adaptiveLimits = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<String, Batcher<?, ?>> batchers = new ConcurrentSkipListMap<>();
    // The configuration each instance was created with, which a later request must repeat.
    private final Map<String, Object> creationConfigs = new ConcurrentHashMap<>();
    private final List<DikeInstanceObserver> observers;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final DikeInstanceContexts contexts;
    private volatile boolean closed;

    /**
     * Creates a registry without observers whose instances use the system scheduler and each
     * primitive's default executor.
     */
    public DikeRegistry() {
        this(List.of(), DelayScheduler.system(), null);
    }

    /**
     * Creates a registry.
     *
     * @param observers told about every instance created, in this order
     * @param scheduler the scheduler of every instance (delays, timeouts, flush timers)
     * @param executor  the executor of every instance, or {@code null} to keep each primitive's own
     *                  default (the common fork-join pool for retries and limiters, a daemon pool
     *                  {@code dike-batch-N} for batchers)
     */
    public DikeRegistry(Collection<? extends DikeInstanceObserver> observers, DelayScheduler scheduler,
            Executor executor) {
        this(observers, scheduler, executor, null);
    }

    /**
     * Creates a registry whose instances carry their callers' context.
     *
     * @param observers told about every instance created, in this order
     * @param scheduler the scheduler of every instance (delays, timeouts, flush timers)
     * @param executor  the executor of every instance, or {@code null} to keep each primitive's own default
     * @param contexts  the context hooks of every instance, or {@code null} for none
     */
    public DikeRegistry(Collection<? extends DikeInstanceObserver> observers, DelayScheduler scheduler,
            Executor executor, DikeInstanceContexts contexts) {
        this.observers = List.copyOf(observers);
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.executor = executor;
        this.contexts = contexts;
    }

    /**
     * Returns the retrier of this name, creating it on the first request.
     *
     * @param name   the instance name
     * @param config its configuration
     * @return the retrier
     * @throws IllegalStateException if the retrier exists with another configuration, or the
     *                               registry is closed
     */
    public Retrier retrier(String name, RetryConfig config) {
        return retrier(name, config, null);
    }

    /**
     * Returns the retrier of this name, creating it, with its retry budget, on the first request.
     * Every method sharing the name shares the retrier and so its budget. Every retrier reads
     * {@code Retry-After} from Spring's HTTP client exceptions ({@link HttpRetryAfter}).
     *
     * @param name   the instance name
     * @param config its configuration
     * @param budget the settings of its retry budget, or {@code null} for none
     * @return the retrier
     * @throws IllegalArgumentException if the budget settings are invalid
     * @throws IllegalStateException    if the retrier exists with another configuration or budget, or
     *                                  the registry is closed
     */
    public Retrier retrier(String name, RetryConfig config, RetryBudgetSpec budget) {
        Objects.requireNonNull(config, "config");
        Object creation = budget == null ? config : new BudgetedRetry(config, budget);
        return getOrCreate("retry", name, creation, retriers, () -> {
            Retrier.Builder builder = Retrier.builder(name).config(config).scheduler(scheduler)
                    .listener(CompositeListeners.retry(name, observers)).retryAfterSource(RETRY_AFTER)
                    .budget(budget == null ? null : budget.build(name, scheduler));
            if (executor != null) {
                builder.executor(executor);
            }
            ContextCarrier carrier = contexts == null ? null : contexts.retry(name);
            if (carrier != null) {
                builder.contextCarrier(carrier);
            }
            return builder.build();
        }, retrier -> observers.forEach(observer -> observer.retrierCreated(retrier)));
    }

    /**
     * Returns the limiter of this name, creating it on the first request.
     *
     * @param name    the instance name
     * @param limit   the maximum number of calls in flight, at least 0
     * @param maxWait how long a call may wait for a permit, zero or positive
     * @return the limiter
     * @throws IllegalArgumentException if {@code limit} or {@code maxWait} is invalid
     * @throws IllegalStateException    if the limiter exists with another configuration, or the
     *                                  registry is closed
     */
    public JobLimiter limiter(String name, int limit, Duration maxWait) {
        return limiter(name, limit, maxWait, null);
    }

    /**
     * Returns the limiter of this name, creating it on the first request; with {@code adaptive}, its
     * limit follows the backend's capacity (see {@link AdaptiveLimit}), starting at
     * {@link AdaptiveConfig#initialLimit()}, and {@link #findAdaptiveLimit} finds the adaptive limit.
     *
     * @param name     the instance name
     * @param limit    the maximum number of calls in flight, at least 0; ignored when adaptive
     * @param maxWait  how long a call may wait for a permit, zero or positive
     * @param adaptive the adaptive limit's settings, or {@code null} for a fixed limit
     * @return the limiter
     * @throws IllegalArgumentException if {@code limit} or {@code maxWait} is invalid
     * @throws IllegalStateException    if the limiter exists with another configuration, or the
     *                                  registry is closed
     */
    public JobLimiter limiter(String name, int limit, Duration maxWait, AdaptiveConfig adaptive) {
        Objects.requireNonNull(maxWait, "maxWait");
        return getOrCreate("limit", name, new LimitConfig(limit, maxWait, adaptive), limiters, () -> {
            JobLimiter.Builder builder = JobLimiter.builder(name).limit(limit).maxWait(maxWait)
                    .scheduler(scheduler).listener(CompositeListeners.limit(name, observers));
            if (executor != null) {
                builder.executor(executor);
            }
            ContextCarrier carrier = contexts == null ? null : contexts.limit(name);
            if (carrier != null) {
                builder.contextCarrier(carrier);
            }
            if (adaptive == null) {
                return builder.build();
            }
            AdaptiveLimit adaptiveLimit = AdaptiveLimit.create(builder, adaptive);
            adaptiveLimits.put(name, adaptiveLimit);
            return adaptiveLimit.limiter();
        }, limiter -> observers.forEach(observer -> observer.limiterCreated(limiter)));
    }

    /**
     * @param name an instance name
     * @return the adaptive limit of the limiter of that name, if it is adaptive
     */
    public Optional<AdaptiveLimit> findAdaptiveLimit(String name) {
        return Optional.ofNullable(adaptiveLimits.get(name));
    }

    /**
     * Returns the batcher of this name, creating it on the first request. Every method that shares
     * the name shares the batcher, so the operation given with the first request serves them all;
     * the operation of a later request is ignored.
     *
     * @param name      the instance name
     * @param config    its configuration
     * @param operation the operation called once per batch, used if the batcher is created now
     * @param <T>       the element type of the batched columns
     * @param <R>       the element type of the result
     * @return the batcher
     * @throws IllegalStateException if the batcher exists with another configuration, or the
     *                               registry is closed
     */
    @SuppressWarnings("unchecked")
    public <T, R> Batcher<T, R> batcher(String name, BatchConfig config, BatchOperation<T, R> operation) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(operation, "operation");
        Batcher<?, ?> batcher = getOrCreate("batch", name, config, batchers, () -> {
            Batcher.Builder<T, R> builder = Batcher.builder(name, operation).config(config).scheduler(scheduler)
                    .listener(CompositeListeners.batch(name, observers));
            if (executor != null) {
                builder.executor(executor);
            }
            if (contexts != null) {
                ContextCarrier carrier = contexts.batchCall(name);
                if (carrier != null) {
                    builder.contextCarrier(carrier);
                }
                BatchRunContext runContext = contexts.batchRun(name);
                if (runContext != null) {
                    builder.runContext(runContext);
                }
            }
            return builder.build();
        }, created -> observers.forEach(observer -> observer.batcherCreated(created)));
        return (Batcher<T, R>) batcher;
    }

    /** @return every retry instance, sorted by name; a live, read-only view */
    public SortedMap<String, Retrier> retriers() {
        return Collections.unmodifiableSortedMap(retriers);
    }

    /** @return every limiter, sorted by name; a live, read-only view */
    public SortedMap<String, JobLimiter> limiters() {
        return Collections.unmodifiableSortedMap(limiters);
    }

    /** @return every batcher, sorted by name; a live, read-only view */
    public SortedMap<String, Batcher<?, ?>> batchers() {
        return Collections.unmodifiableSortedMap(batchers);
    }

    /**
     * @param name an instance name
     * @return the retry instance of that name, if any
     */
    public Optional<Retrier> findRetrier(String name) {
        return Optional.ofNullable(retriers.get(name));
    }

    /**
     * @param name an instance name
     * @return the limiter of that name, if any
     */
    public Optional<JobLimiter> findLimiter(String name) {
        return Optional.ofNullable(limiters.get(name));
    }

    /**
     * @param name an instance name
     * @return the batcher of that name, if any
     */
    public Optional<Batcher<?, ?>> findBatcher(String name) {
        return Optional.ofNullable(batchers.get(name));
    }

    /**
     * @return the scheduler of every instance; cluster limits ({@code scope: cluster}) use it too, for their
     *         renewals and timeouts
     */
    public DelayScheduler scheduler() {
        return scheduler;
    }

    /**
     * @return the executor of every instance, if the registry was given one (else each primitive keeps its
     *         own default); cluster limits use it too, to complete their callers' futures
     */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /**
     * Closes every batcher, which flushes the calls it has queued and fails later calls; later
     * requests for new instances fail. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        batchers.values().forEach(Batcher::close);
    }

    private <I> I getOrCreate(String kind, String name, Object config, Map<String, I> instances,
            Supplier<? extends I> factory, Consumer<? super I> announce) {
        Objects.requireNonNull(name, "name");
        I existing = instances.get(name);
        if (existing == null) {
            // Creation is rare (once per name, mostly at startup): a lock keeps it exactly-once and
            // lets observers hear about an instance before any other thread can use it.
            synchronized (this) {
                existing = instances.get(name);
                if (existing == null) {
                    if (closed) {
                        throw new IllegalStateException("The dike registry is closed; cannot create " + kind
                                + " instance '" + name + "'");
                    }
                    I created = factory.get();
                    creationConfigs.put(kind + ':' + name, config);
                    instances.put(name, created);
                    announce.accept(created);
                    return created;
                }
            }
        }
        Object original = creationConfigs.get(kind + ':' + name);
        if (!original.equals(config)) {
            throw new IllegalStateException("The " + kind + " instance '" + name + "' exists with configuration "
                    + original + "; it cannot be requested with configuration " + config
                    + ". Methods sharing a name must agree on its configuration.");
        }
        return existing;
    }

    /** The identity of a limiter's configuration, for the same-name check. */
    private record LimitConfig(int limit, Duration maxWait, AdaptiveConfig adaptive) {
    }

    /** What a retrier with a budget was created with. */
    private record BudgetedRetry(RetryConfig config, RetryBudgetSpec budget) {
    }
}
