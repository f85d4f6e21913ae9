package dev.dike.spring.actuate;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.adaptive.AdaptiveLimit;
import dev.dike.limit.adaptive.AdaptiveState;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.retry.Retrier;
import dev.dike.spring.ClusterLimitFactory;
import dev.dike.spring.DikeRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.convert.DurationStyle;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Function;

/**
 * The {@code dike} actuator endpoint: every retrier, limiter and batcher of the {@link DikeRegistry}
 * with its effective configuration and live state, and runtime tuning of limiters and batchers.
 *
 * <ul>
 *   <li>{@code GET /actuator/dike}: every instance, grouped by kind.</li>
 *   <li>{@code GET /actuator/dike/{name}}: the instances of that name (a name may have a retrier, a
 *       limiter and a batcher); 404 when there is none.</li>
 *   <li>{@code POST /actuator/dike/{name}} with a JSON body holding any of {@code limit},
 *       {@code targetBatchSize}, {@code maxWaitingTime}: changes them and answers like the read.</li>
 * </ul>
 * Durations are written in ISO-8601 ({@code PT0.01S}); an unlimited value is {@code null}, which the
 * actuator's JSON leaves out.
 */
@Endpoint(id = "dike")
public class DikeEndpoint {

    private final DikeRegistry registry;
    private final @Nullable ClusterLimitFactory clusterLimits;

    /**
     * @param registry the instances to show and tune
     */
    public DikeEndpoint(DikeRegistry registry) {
        this(registry, null);
    }

    /**
     * @param registry      the instances to show and tune
     * @param clusterLimits the limiters with {@code scope: cluster}, shown among the limiters with their cluster
     *                      details; {@code null} when there are none
     */
    public DikeEndpoint(DikeRegistry registry, @Nullable ClusterLimitFactory clusterLimits) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clusterLimits = clusterLimits;
    }

    /** @return every instance, grouped by kind and sorted by name */
    @ReadOperation
    public DikeInstances instances() {
        Map<String, LimiterDescriptor> limiters = describe(registry.limiters(), this::describeLimiter);
        clusterStates().forEach((name, state) -> limiters.put(name, LimiterDescriptor.of(state)));
        return new DikeInstances(
                describe(registry.retriers(), RetrierDescriptor::of),
                new java.util.TreeMap<>(limiters),
                describe(registry.batchers(), BatcherDescriptor::of));
    }

    /**
     * @param name an instance name
     * @return the instances of that name, grouped by kind; {@code null} (HTTP 404) when there is none
     */
    @ReadOperation
    public @Nullable DikeInstances instance(@Selector String name) {
        Map<String, RetrierDescriptor> retriers = describe(name, registry.findRetrier(name), RetrierDescriptor::of);
        Map<String, LimiterDescriptor> limiters = describe(name, registry.findLimiter(name), this::describeLimiter);
        ClusterLimitFactory.ClusterLimitState cluster = clusterStates().get(name);
        if (cluster != null) {
            limiters = Map.of(name, LimiterDescriptor.of(cluster));
        }
        Map<String, BatcherDescriptor> batchers = describe(name, registry.findBatcher(name), BatcherDescriptor::of);
        if (retriers.isEmpty() && limiters.isEmpty() && batchers.isEmpty()) {
            return null;
        }
        return new DikeInstances(retriers, limiters, batchers);
    }

    /**
     * Changes a limiter's limit and/or a batcher's target batch size and maximum waiting time at
     * runtime. Every value is checked before any is applied.
     *
     * @param name            the instance name
     * @param limit           the limiter's new limit, at least 0; {@code null} to keep it
     * @param targetBatchSize the batcher's new target batch size, greater than 0; {@code null} to keep it
     * @param maxWaitingTime  the batcher's new maximum waiting time, positive, such as {@code 50ms} or
     *                        {@code PT0.05S}; {@code null} to keep it
     * @return the instances of that name after the change
     * @throws InvalidEndpointRequestException (HTTP 400) naming the bad value, the unknown name or the
     *                                         missing kind of instance
     */
    @WriteOperation
    public DikeInstances configure(@Selector String name, @Nullable Integer limit, @Nullable Integer targetBatchSize,
                                   @Nullable String maxWaitingTime) {
        if (limit == null && targetBatchSize == null && maxWaitingTime == null) {
            throw invalid("Nothing to change for dike instance '" + name
                    + "': give limit, targetBatchSize and/or maxWaitingTime");
        }
        JobLimiter limiter = registry.findLimiter(name).orElse(null);
        boolean clusterLimiter = clusterStates().containsKey(name);
        Batcher<?, ?> batcher = registry.findBatcher(name).orElse(null);
        if (limiter == null && !clusterLimiter && batcher == null && registry.findRetrier(name).isEmpty()) {
            throw invalid("No dike instance named '" + name + "'");
        }
        if (limit != null) {
            requireInstance(limiter != null || clusterLimiter ? name : null, "limit", "limiter", name);
            if (limit < 0) {
                throw invalid("Invalid limit '" + limit + "' for limiter '" + name + "': must be at least 0");
            }
        }
        if (targetBatchSize != null) {
            requireInstance(batcher, "targetBatchSize", "batcher", name);
            if (targetBatchSize <= 0) {
                throw invalid("Invalid targetBatchSize '" + targetBatchSize + "' for batcher '" + name
                        + "': must be greater than 0");
            }
        }
        Duration waitingTime = null;
        if (maxWaitingTime != null) {
            requireInstance(batcher, "maxWaitingTime", "batcher", name);
            waitingTime = parsePositive(maxWaitingTime, "maxWaitingTime", name);
        }
        try {
            if (limit != null && clusterLimiter) {
                clusterLimits.setLimit(name, limit); // in Redis, for every instance
            } else if (limit != null) {
                limiter.setLimit(limit);
            }
            if (targetBatchSize != null) {
                batcher.setTargetBatchSize(targetBatchSize);
            }
            if (waitingTime != null) {
                batcher.setMaxWaitingTime(waitingTime);
            }
        }
        catch (IllegalArgumentException | IllegalStateException ex) {
            throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage(), ex);
        }
        return instance(name);
    }

    private SortedMap<String, ClusterLimitFactory.ClusterLimitState> clusterStates() {
        return clusterLimits == null ? java.util.Collections.emptySortedMap() : clusterLimits.states();
    }

    private static Duration parsePositive(String text, String attribute, String name) {
        Duration duration;
        try {
            duration = DurationStyle.detectAndParse(text.trim());
        }
        catch (IllegalArgumentException ex) {
            throw invalid("Invalid " + attribute + " '" + text + "' for batcher '" + name
                    + "': not a duration such as 50ms or PT0.05S");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw invalid("Invalid " + attribute + " '" + text + "' for batcher '" + name + "': must be positive");
        }
        return duration;
    }

    private static void requireInstance(@Nullable Object instance, String attribute, String kind, String name) {
        if (instance == null) {
            throw invalid("Cannot set " + attribute + ": dike instance '" + name + "' has no " + kind);
        }
    }

    private static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    private static <I, D> Map<String, D> describe(SortedMap<String, ? extends I> instances, Function<I, D> describer) {
        Map<String, D> descriptors = new LinkedHashMap<>();
        instances.forEach((name, instance) -> descriptors.put(name, describer.apply(instance)));
        return descriptors;
    }

    private static <I, D> Map<String, D> describe(String name, Optional<I> instance, Function<I, D> describer) {
        return instance.map(found -> Map.of(name, describer.apply(found))).orElse(Map.of());
    }

    private static @Nullable String iso(@Nullable Duration duration) {
        return duration == null ? null : duration.toString();
    }

    private static List<String> classNames(List<Class<? extends Throwable>> types) {
        return types.stream().map(Class::getName).toList();
    }

    /**
     * Instances grouped by kind, each map sorted by name.
     *
     * @param retriers retriers by name
     * @param limiters limiters by name
     * @param batchers batchers by name
     */
    public record DikeInstances(Map<String, RetrierDescriptor> retriers, Map<String, LimiterDescriptor> limiters,
                                Map<String, BatcherDescriptor> batchers) {
    }

    /**
     * A retrier.
     *
     * @param config its settings
     * @param budget its retry budget's settings and state; {@code null} when it has none
     */
    public record RetrierDescriptor(RetryConfigDescriptor config, @Nullable RetryBudgetDescriptor budget) {

        static RetrierDescriptor of(Retrier retrier) {
            RetryBudget budget = retrier.budget();
            return new RetrierDescriptor(RetryConfigDescriptor.of(retrier.config()),
                    budget == null ? null : RetryBudgetDescriptor.of(budget));
        }
    }

    /**
     * A retry budget's settings and its state within the current window.
     *
     * @param percent             retries allowed per 100 calls within the window
     * @param minRetriesPerSecond retries allowed per second of the window whatever the traffic
     * @param window              the window, ISO-8601
     * @param calls               calls started within the window
     * @param retries             retries made within the window
     * @param retriesLeft         retries the budget allows now
     * @param refused             retries refused since creation
     */
    public record RetryBudgetDescriptor(double percent, double minRetriesPerSecond, String window, long calls,
                                        long retries, long retriesLeft, long refused) {

        static RetryBudgetDescriptor of(RetryBudget budget) {
            return new RetryBudgetDescriptor(budget.percent(), budget.minRetriesPerSecond(), iso(budget.window()),
                    budget.callsInWindow(), budget.retriesInWindow(), budget.retriesLeft(), budget.refusedRetries());
        }
    }

    /**
     * The settings of a retrier.
     *
     * @param attempts              total attempts including the first; {@code null} for unlimited
     * @param delay                 delay before the first retry, ISO-8601
     * @param backoff               factor applied to the delay after each retry
     * @param maxDelay              upper bound of a delay before jitter, ISO-8601; {@code null} for none
     * @param jitter                fraction by which delays are randomized
     * @param exceptionTypes        class names of the retried exceptions
     * @param ignoredExceptionTypes class names of the exceptions never retried
     * @param logExceptionInfo      whether retry log lines carry the stack trace
     * @param respectRetryAfter     whether a failure's retry-after (server pushback) lengthens the next
     *                              delay and stops the retries when it is too long
     * @param maxRetryAfter         the longest retry-after waited for, ISO-8601; {@code null} when
     *                              {@code maxDelay} bounds it instead (no bound when that is {@code null} too)
     */
    public record RetryConfigDescriptor(@Nullable Integer attempts, String delay, double backoff,
                                        @Nullable String maxDelay, double jitter, List<String> exceptionTypes,
                                        List<String> ignoredExceptionTypes, boolean logExceptionInfo,
                                        boolean respectRetryAfter, @Nullable String maxRetryAfter) {

        static RetryConfigDescriptor of(RetryConfig config) {
            return new RetryConfigDescriptor(
                    config.attempts() == RetryConfig.UNLIMITED_ATTEMPTS ? null : config.attempts(),
                    iso(config.delay()), config.backoff(), iso(config.maxDelay()), config.jitter(),
                    classNames(config.exceptionTypes()), classNames(config.ignoredExceptionTypes()),
                    config.logExceptionInfo(), config.respectRetryAfter(), iso(config.maxRetryAfter()));
        }
    }

    /**
     * A limiter's settings and live state.
     *
     * @param limit     maximum number of operations in flight
     * @param maxWait   how long a call may wait for a permit, ISO-8601
     * @param inFlight  operations holding a permit now
     * @param available permits free now
     * @param waiting   calls waiting for a permit now
     * @param permitted calls that got a permit since creation
     * @param rejected  calls rejected since creation
     * @param adaptive  for an adaptive limit, its algorithm's state (the limit it set, bounds, baseline
     *                  and recent latency, calls in flight and queueing); {@code null} for a fixed limit
     * @param cluster   for {@code scope: cluster}: clusterInFlight (permits held across the cluster),
     *                  instancesAlive, fallback, onUnavailable, leaseTime, namespace and configuredLimit; then
     *                  inFlight, waiting, permitted and rejected are this instance's; {@code null} for a local limiter
     */
    public record LimiterDescriptor(int limit, String maxWait, int inFlight, int available, int waiting,
                                    long permitted, long rejected, @Nullable AdaptiveState adaptive,
                                    @Nullable Map<String, Object> cluster) {

        /** A local limiter's descriptor. */
        public LimiterDescriptor(int limit, String maxWait, int inFlight, int available, int waiting, long permitted,
                                 long rejected, @Nullable AdaptiveState adaptive) {
            this(limit, maxWait, inFlight, available, waiting, permitted, rejected, adaptive, null);
        }

        static LimiterDescriptor of(JobLimiter limiter, @Nullable AdaptiveState adaptive) {
            return new LimiterDescriptor(limiter.limit(), iso(limiter.maxWait()), limiter.inFlight(),
                    limiter.available(), limiter.waiting(), limiter.permittedCount(), limiter.rejectedCount(), adaptive);
        }

        static LimiterDescriptor of(ClusterLimitFactory.ClusterLimitState state) {
            return new LimiterDescriptor(state.limit(), iso(state.maxWait()), state.inFlight(), state.available(),
                    state.waiting(), state.permitted(), state.rejected(), null, state.cluster());
        }
    }

    private LimiterDescriptor describeLimiter(JobLimiter limiter) {
        return LimiterDescriptor.of(limiter,
                registry.findAdaptiveLimit(limiter.name()).map(AdaptiveLimit::state).orElse(null));
    }

    /**
     * A batcher's settings and live state.
     *
     * @param config          its settings in force now
     * @param queuedCalls     calls waiting for their batch to start
     * @param queuedRows      rows waiting for their batch to start
     * @param batchesInFlight batches whose operation is running
     */
    public record BatcherDescriptor(BatchConfigDescriptor config, int queuedCalls, int queuedRows,
                                    int batchesInFlight) {

        static BatcherDescriptor of(Batcher<?, ?> batcher) {
            return new BatcherDescriptor(BatchConfigDescriptor.of(batcher.config()), batcher.queuedCalls(),
                    batcher.queuedRows(), batcher.batchesInFlight());
        }
    }

    /**
     * The settings of a batcher.
     *
     * @param targetBatchSize      rows at which a batch is flushed at once
     * @param maxWaitingTime       how long after its first call a batch is flushed anyway, ISO-8601
     * @param maxProcessingTime    how long a batch may run before its callers time out, ISO-8601
     * @param maxConcurrentBatches batches running at once; {@code null} for unlimited
     */
    public record BatchConfigDescriptor(int targetBatchSize, String maxWaitingTime, String maxProcessingTime,
                                        @Nullable Integer maxConcurrentBatches) {

        static BatchConfigDescriptor of(BatchConfig config) {
            return new BatchConfigDescriptor(config.targetBatchSize(), iso(config.maxWaitingTime()),
                    iso(config.maxProcessingTime()),
                    config.maxConcurrentBatches() == BatchConfig.UNLIMITED ? null : config.maxConcurrentBatches());
        }
    }
}
