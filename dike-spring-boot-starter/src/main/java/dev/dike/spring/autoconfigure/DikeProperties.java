package dev.dike.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * Configuration properties under {@code dike}: the switch, per-kind defaults and per-instance
 * settings of {@code @Retry}, {@code @LimitJobs} and {@code @Batch}, and the order of the advisors.
 *
 * <p>Every setting is a nullable wrapper, {@code null} meaning "not set", so that the precedence
 * instance properties &gt; annotation attributes &gt; {@code defaults} &gt; built-in defaults can
 * tell a value that was set from one that was not. Unknown keys under {@code dike} fail startup, so
 * a typo in {@code application.yml} is never silently ignored: the startup check reports each of
 * them with the closest valid key, together with every other configuration problem (when
 * {@code dike.enabled=false}, nothing under {@code dike} is checked).
 */
@ConfigurationProperties(prefix = "dike")
public class DikeProperties {

    /**
     * Whether the dike advisors apply. When false, @Retry, @LimitJobs and @Batch have no effect and
     * no instance is created.
     */
    private boolean enabled = true;

    private final RetryProperties retry = new RetryProperties();

    private final LimitProperties limit = new LimitProperties();

    private final BatchProperties batch = new BatchProperties();

    private final AspectOrder aspectOrder = new AspectOrder();

    private final Web web = new Web();

    private final Observations observations = new Observations();

    /** @return whether the dike advisors apply */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the dike advisors apply */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the settings of retry instances */
    public RetryProperties getRetry() {
        return retry;
    }

    /** @return the settings of limiters */
    public LimitProperties getLimit() {
        return limit;
    }

    /** @return the settings of batchers */
    public BatchProperties getBatch() {
        return batch;
    }

    /** @return the order of the three advisors */
    public AspectOrder getAspectOrder() {
        return aspectOrder;
    }

    /** @return the web integration settings */
    public Web getWeb() {
        return web;
    }

    /** @return the observation settings */
    public Observations getObservations() {
        return observations;
    }

    /** Settings under {@code dike.retry}. */
    public static class RetryProperties {

        /** Defaults for every @Retry instance, used where neither the instance nor the annotation sets a value. */
        private final RetrySettings defaults = new RetrySettings();

        /**
         * Settings per @Retry instance name; they win over the annotation's attributes. A name
         * containing dots needs brackets, e.g. dike.retry.instances[OrderClient.fetch].attempts=5.
         * A name that no @Retry method uses fails startup.
         */
        private final Map<String, RetrySettings> instances = new LinkedHashMap<>();

        /** @return the defaults of every retry instance */
        public RetrySettings getDefaults() {
            return defaults;
        }

        /** @return the settings per instance name */
        public Map<String, RetrySettings> getInstances() {
            return instances;
        }
    }

    /** The settings of one retry instance, or the retry defaults; {@code null} means not set. */
    public static class RetrySettings {

        /** Total number of calls including the first, at least 1, or -1 for unlimited. Built-in default 3. */
        private Integer attempts;

        /** Delay before the first retry, e.g. 100ms. Built-in default 0. */
        private Duration delay;

        /** Factor applied to the delay after each retry, at least 1. Built-in default 1 (constant delay). */
        private Double backoff;

        /** Upper bound of any delay before jitter, positive. Built-in default: no bound. */
        private Duration maxDelay;

        /** Fraction between 0 and 1 by which each delay is randomized up or down. Built-in default 0. */
        private Double jitter;

        /** Exception types that are retried, subclasses included. Built-in default java.lang.Exception. */
        private List<Class<?>> exceptionTypes;

        /** Exception types that are never retried, even when they match exception-types. Built-in default: none. */
        private List<Class<?>> ignoredExceptionTypes;

        /** Whether each retry's WARN log line carries the stack trace. Built-in default true. */
        private Boolean logExceptionInfo;

        /**
         * Whether a failure's Retry-After (HTTP 429/503 through WebClient, RestClient or RestTemplate, or
         * an exception implementing dev.dike.retry.RetryAfter) makes the next delay at least that long.
         * Built-in default true.
         */
        private Boolean respectRetryAfter;

        /**
         * Longest Retry-After waited for, positive; a failure asking for longer is not retried.
         * Built-in default: max-delay, or no bound when that is not set either.
         */
        private Duration maxRetryAfter;

        /** The retry budget shared by every method of the instance. */
        private final BudgetSettings budget = new BudgetSettings();

        /** @return total calls including the first, or null */
        public Integer getAttempts() {
            return attempts;
        }

        /** @param attempts total calls including the first */
        public void setAttempts(Integer attempts) {
            this.attempts = attempts;
        }

        /** @return the delay before the first retry, or null */
        public Duration getDelay() {
            return delay;
        }

        /** @param delay the delay before the first retry */
        public void setDelay(Duration delay) {
            this.delay = delay;
        }

        /** @return the backoff factor, or null */
        public Double getBackoff() {
            return backoff;
        }

        /** @param backoff the backoff factor */
        public void setBackoff(Double backoff) {
            this.backoff = backoff;
        }

        /** @return the upper bound of any delay, or null */
        public Duration getMaxDelay() {
            return maxDelay;
        }

        /** @param maxDelay the upper bound of any delay */
        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        /** @return the jitter fraction, or null */
        public Double getJitter() {
            return jitter;
        }

        /** @param jitter the jitter fraction */
        public void setJitter(Double jitter) {
            this.jitter = jitter;
        }

        /** @return the retried exception types, or null */
        public List<Class<?>> getExceptionTypes() {
            return exceptionTypes;
        }

        /** @param exceptionTypes the retried exception types */
        public void setExceptionTypes(List<Class<?>> exceptionTypes) {
            this.exceptionTypes = exceptionTypes;
        }

        /** @return the exception types never retried, or null */
        public List<Class<?>> getIgnoredExceptionTypes() {
            return ignoredExceptionTypes;
        }

        /** @param ignoredExceptionTypes the exception types never retried */
        public void setIgnoredExceptionTypes(List<Class<?>> ignoredExceptionTypes) {
            this.ignoredExceptionTypes = ignoredExceptionTypes;
        }

        /** @return whether retry log lines carry the stack trace, or null */
        public Boolean getLogExceptionInfo() {
            return logExceptionInfo;
        }

        /** @param logExceptionInfo whether retry log lines carry the stack trace */
        public void setLogExceptionInfo(Boolean logExceptionInfo) {
            this.logExceptionInfo = logExceptionInfo;
        }

        /** @return whether Retry-After is respected, or null */
        public Boolean getRespectRetryAfter() {
            return respectRetryAfter;
        }

        /** @param respectRetryAfter whether Retry-After is respected */
        public void setRespectRetryAfter(Boolean respectRetryAfter) {
            this.respectRetryAfter = respectRetryAfter;
        }

        /** @return the longest Retry-After waited for, or null */
        public Duration getMaxRetryAfter() {
            return maxRetryAfter;
        }

        /** @param maxRetryAfter the longest Retry-After waited for */
        public void setMaxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
        }

        /** @return the retry budget settings */
        public BudgetSettings getBudget() {
            return budget;
        }
    }

    /** The retry budget of one retry instance, or the defaults of every budget; {@code null} means not set. */
    public static class BudgetSettings {

        /** Whether the instance has a retry budget. Built-in default true. */
        private Boolean enabled;

        /** Retries allowed per 100 calls within the window, 0 to 100. Built-in default 10. */
        private Double percent;

        /** Retries allowed per second of the window whatever the traffic, zero or positive. Built-in default 10. */
        private Double minRetriesPerSecond;

        /** Period over which calls and retries are counted, positive. Built-in default 10s. */
        private Duration window;

        /** @return whether the budget is on, or null */
        public Boolean getEnabled() {
            return enabled;
        }

        /** @param enabled whether the budget is on */
        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        /** @return retries per 100 calls, or null */
        public Double getPercent() {
            return percent;
        }

        /** @param percent retries per 100 calls */
        public void setPercent(Double percent) {
            this.percent = percent;
        }

        /** @return the reserve of retries per second, or null */
        public Double getMinRetriesPerSecond() {
            return minRetriesPerSecond;
        }

        /** @param minRetriesPerSecond the reserve of retries per second */
        public void setMinRetriesPerSecond(Double minRetriesPerSecond) {
            this.minRetriesPerSecond = minRetriesPerSecond;
        }

        /** @return the window, or null */
        public Duration getWindow() {
            return window;
        }

        /** @param window the window */
        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** Settings under {@code dike.limit}. */
    public static class LimitProperties {

        /** Defaults for every @LimitJobs instance, used where neither the instance nor the annotation sets a value. */
        private final LimitSettings defaults = new LimitSettings();

        /**
         * Settings per @LimitJobs instance name; they win over the annotation's attributes. A name
         * containing dots needs brackets, e.g. dike.limit.instances[OrderClient.fetch].limit=10.
         * A name that no @LimitJobs method uses fails startup.
         */
        private final Map<String, LimitSettings> instances = new LinkedHashMap<>();

        /** Settings of the instances with scope cluster (docs/cluster.md). */
        private final ClusterSettings cluster = new ClusterSettings();

        /** @return the settings of cluster-wide limits */
        public ClusterSettings getCluster() {
            return cluster;
        }

        /** @return the defaults of every limiter */
        public LimitSettings getDefaults() {
            return defaults;
        }

        /** @return the settings per instance name */
        public Map<String, LimitSettings> getInstances() {
            return instances;
        }
    }

    /** The settings of one limiter, or the limiter defaults; {@code null} means not set. */
    public static class LimitSettings {

        /** Maximum number of calls in flight, at least 0 (0 rejects every call). No built-in default: required somewhere. */
        private Integer limit;

        /** How long a call may wait, in FIFO order, for a permit before it is rejected. Built-in default 0: reject at once. */
        private Duration maxWait;

        /** The adaptive limit: a limit that follows the backend's capacity (docs/adaptive.md). */
        private final AdaptiveSettings adaptive = new AdaptiveSettings();

        /**
         * Where the limit counts calls: local (this instance) or cluster (every instance connected to the same
         * Redis with the same dike.limit.cluster.namespace; needs dev.dike:dike-redis and
         * spring-boot-starter-data-redis). Built-in default local.
         */
        private LimitScope scope;

        /** @return where the limit counts calls, or null */
        public LimitScope getScope() {
            return scope;
        }

        /** @param scope where the limit counts calls */
        public void setScope(LimitScope scope) {
            this.scope = scope;
        }

        /** @return the maximum number of calls in flight, or null */
        public Integer getLimit() {
            return limit;
        }

        /** @param limit the maximum number of calls in flight */
        public void setLimit(Integer limit) {
            this.limit = limit;
        }

        /** @return how long a call may wait for a permit, or null */
        public Duration getMaxWait() {
            return maxWait;
        }

        /** @param maxWait how long a call may wait for a permit */
        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        /** @return the adaptive limit's settings */
        public AdaptiveSettings getAdaptive() {
            return adaptive;
        }
    }

    /**
     * The settings of an adaptive limit, under {@code dike.limit.instances.<name>.adaptive} or
     * {@code dike.limit.defaults.adaptive}; {@code null} means not set.
     */
    public static class AdaptiveSettings {

        /** Whether the limit adapts to the backend's capacity, starting at initial-limit. Built-in default false. */
        private Boolean enabled;

        /** Lowest limit the algorithm sets, at least 1. Built-in default 1. */
        private Integer minLimit;

        /** Highest limit the algorithm sets, at least min-limit. Built-in default 1000. */
        private Integer maxLimit;

        /** Limit to start from, within [min-limit, max-limit]. No built-in default: the limiter's limit is used. */
        private Integer initialLimit;

        /** How long completions are collected before each decision, positive. Built-in default 100ms. */
        private Duration window;

        /** Fraction by which latency may exceed its baseline before it counts as queueing, in (0, 1]. Built-in default 0.1. */
        private Double tolerance;

        /** How long the lowest latency is remembered as the baseline, at least window. Built-in default 10s. */
        private Duration baselineWindow;

        /** @return whether the limit adapts, or null */
        public Boolean getEnabled() {
            return enabled;
        }

        /** @param enabled whether the limit adapts */
        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the lowest limit, or null */
        public Integer getMinLimit() {
            return minLimit;
        }

        /** @param minLimit the lowest limit */
        public void setMinLimit(Integer minLimit) {
            this.minLimit = minLimit;
        }

        /** @return the highest limit, or null */
        public Integer getMaxLimit() {
            return maxLimit;
        }

        /** @param maxLimit the highest limit */
        public void setMaxLimit(Integer maxLimit) {
            this.maxLimit = maxLimit;
        }

        /** @return the limit to start from, or null */
        public Integer getInitialLimit() {
            return initialLimit;
        }

        /** @param initialLimit the limit to start from */
        public void setInitialLimit(Integer initialLimit) {
            this.initialLimit = initialLimit;
        }

        /** @return the decision window, or null */
        public Duration getWindow() {
            return window;
        }

        /** @param window the decision window */
        public void setWindow(Duration window) {
            this.window = window;
        }

        /** @return the latency tolerance, or null */
        public Double getTolerance() {
            return tolerance;
        }

        /** @param tolerance the latency tolerance */
        public void setTolerance(Double tolerance) {
            this.tolerance = tolerance;
        }

        /** @return how long the baseline latency is remembered, or null */
        public Duration getBaselineWindow() {
            return baselineWindow;
        }

        /** @param baselineWindow how long the baseline latency is remembered */
        public void setBaselineWindow(Duration baselineWindow) {
            this.baselineWindow = baselineWindow;
        }
    }

    /** Where a limit counts calls in flight. */
    public enum LimitScope {
        /** In this application instance only. */
        LOCAL,
        /** Across every instance sharing the Redis and the namespace. */
        CLUSTER
    }

    /** Settings under {@code dike.limit.cluster}. */
    public static class ClusterSettings {

        /** Instances with the same namespace on the same Redis share their cluster limits. Default: spring.application.name. */
        private String namespace;

        /** How long a permit's lease lasts unless its instance renews it (every third of it); a dead instance's permits come back within this time. */
        private Duration leaseTime = Duration.ofSeconds(10);

        /** What cluster limits do while Redis cannot be reached: local (each instance admits ceil(limit / instances alive)) or reject. */
        private OnUnavailableSetting onUnavailable = OnUnavailableSetting.LOCAL;

        /** @return the namespace, or null for spring.application.name */
        public String getNamespace() {
            return namespace;
        }

        /** @param namespace the namespace */
        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        /** @return the lease time */
        public Duration getLeaseTime() {
            return leaseTime;
        }

        /** @param leaseTime the lease time */
        public void setLeaseTime(Duration leaseTime) {
            this.leaseTime = leaseTime;
        }

        /** @return what cluster limits do while Redis cannot be reached */
        public OnUnavailableSetting getOnUnavailable() {
            return onUnavailable;
        }

        /** @param onUnavailable what cluster limits do while Redis cannot be reached */
        public void setOnUnavailable(OnUnavailableSetting onUnavailable) {
            this.onUnavailable = onUnavailable;
        }
    }

    /** What cluster limits do while Redis cannot be reached. */
    public enum OnUnavailableSetting {
        /** Each instance admits up to ceil(limit / instances alive) on its own. */
        LOCAL,
        /** Calls are rejected with a TooManyCallsException saying the cluster limit is unavailable. */
        REJECT
    }

    /** Settings under {@code dike.batch}. */
    public static class BatchProperties {

        /** Defaults for every @Batch instance, used where neither the instance nor the annotation sets a value. */
        private final BatchSettings defaults = new BatchSettings();

        /**
         * Settings per @Batch instance name; they win over the annotation's attributes. A name
         * containing dots needs brackets, e.g. dike.batch.instances[PriceClient.prices].target-batch-size=50.
         * A name that no @Batch method uses fails startup.
         */
        private final Map<String, BatchSettings> instances = new LinkedHashMap<>();

        /** @return the defaults of every batcher */
        public BatchSettings getDefaults() {
            return defaults;
        }

        /** @return the settings per instance name */
        public Map<String, BatchSettings> getInstances() {
            return instances;
        }
    }

    /** The settings of one batcher, or the batch defaults; {@code null} means not set. */
    public static class BatchSettings {

        /** Number of rows at which a batch is flushed at once, greater than 0. No built-in default: required somewhere. */
        private Integer targetBatchSize;

        /**
         * How long after its first call a batch is flushed if it has not reached the target, positive. Built-in default
         * 10ms. 0 (only with max-concurrent-batches) sends a batch as soon as a slot is free and lets the next one fill
         * only while every slot is busy.
         */
        private Duration maxWaitingTime;

        /** How long one batch may run before its callers fail with a TimeoutException, positive. Built-in default 10s. */
        private Duration maxProcessingTime;

        /** Maximum number of batches of the instance running at once, greater than 0. Built-in default: unlimited. */
        private Integer maxConcurrentBatches;

        /**
         * What a caller of a single-item (bulkMethod) @Batch method gets when the bulk method's Map has no entry for
         * its key. Built-in default: absent (an empty Mono, or null).
         */
        private MissingKey missingKey;

        /** @return the target batch size, or null */
        public Integer getTargetBatchSize() {
            return targetBatchSize;
        }

        /** @param targetBatchSize the target batch size */
        public void setTargetBatchSize(Integer targetBatchSize) {
            this.targetBatchSize = targetBatchSize;
        }

        /** @return the maximum waiting time, or null */
        public Duration getMaxWaitingTime() {
            return maxWaitingTime;
        }

        /** @param maxWaitingTime the maximum waiting time */
        public void setMaxWaitingTime(Duration maxWaitingTime) {
            this.maxWaitingTime = maxWaitingTime;
        }

        /** @return the maximum processing time, or null */
        public Duration getMaxProcessingTime() {
            return maxProcessingTime;
        }

        /** @param maxProcessingTime the maximum processing time */
        public void setMaxProcessingTime(Duration maxProcessingTime) {
            this.maxProcessingTime = maxProcessingTime;
        }

        /** @return the maximum number of concurrent batches, or null */
        public Integer getMaxConcurrentBatches() {
            return maxConcurrentBatches;
        }

        /** @param maxConcurrentBatches the maximum number of concurrent batches */
        public void setMaxConcurrentBatches(Integer maxConcurrentBatches) {
            this.maxConcurrentBatches = maxConcurrentBatches;
        }

        /** @return what a caller whose key is missing from the bulk method's Map gets, or null */
        public MissingKey getMissingKey() {
            return missingKey;
        }

        /** @param missingKey what a caller whose key is missing from the bulk method's Map gets */
        public void setMissingKey(MissingKey missingKey) {
            this.missingKey = missingKey;
        }
    }

    /** What a caller of a single-item {@code @Batch} method gets when the bulk method's Map has no entry for its key. */
    public enum MissingKey {

        /** The caller's {@code Mono} completes empty; a future or plain call gets {@code null}. */
        ABSENT,

        /** The caller fails with a {@link java.util.NoSuchElementException} naming the key and the bulk method. */
        FAIL    }

    /**
     * Order of the advisors under {@code dike.aspect-order}; a lower value is further out. The
     * defaults nest Retry outside LimitJobs outside Batch, all just outside Spring's advice of
     * default order (such as {@code @Transactional}), so that each retry attempt takes a permit and
     * runs in a fresh transaction.
     */
    public static class AspectOrder {

        /** Order of the @Retry advisor; lower runs further out. */
        private int retry = Ordered.LOWEST_PRECEDENCE - 3;

        /** Order of the @LimitJobs advisor; lower runs further out. */
        private int limit = Ordered.LOWEST_PRECEDENCE - 2;

        /** Order of the @Batch advisor; lower runs further out. */
        private int batch = Ordered.LOWEST_PRECEDENCE - 1;

        /** @return the order of the retry advisor */
        public int getRetry() {
            return retry;
        }

        /** @param retry the order of the retry advisor */
        public void setRetry(int retry) {
            this.retry = retry;
        }

        /** @return the order of the limit advisor */
        public int getLimit() {
            return limit;
        }

        /** @param limit the order of the limit advisor */
        public void setLimit(int limit) {
            this.limit = limit;
        }

        /** @return the order of the batch advisor */
        public int getBatch() {
            return batch;
        }

        /** @param batch the order of the batch advisor */
        public void setBatch(int batch) {
            this.batch = batch;
        }
    }

    /** Settings under {@code dike.web}. */
    public static class Web {

        /**
         * Whether a web application (WebFlux or MVC) answers a TooManyCallsException with HTTP 503
         * and an RFC 9457 problem detail, unless the application maps that exception itself.
         */
        private boolean enabled = true;

        /** @return whether TooManyCallsException is mapped to HTTP 503 */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether TooManyCallsException is mapped to HTTP 503 */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Settings under {@code dike.observations}. */
    public static class Observations {

        /**
         * Whether retried calls, waits for a permit and batch runs are observed (dike.retry, dike.limit,
         * dike.batch) when an ObservationRegistry bean exists. The caller's context is carried across
         * dike's threads either way.
         */
        private boolean enabled = true;

        /** @return whether dike makes observations */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether dike makes observations */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
