package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.batch.BatchConfig;
import dev.dike.limit.adaptive.AdaptiveConfig;
import dev.dike.retry.RetryBudget;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.RetryBudgetSpec;
import dev.dike.spring.autoconfigure.DikeProperties;
import dev.dike.spring.autoconfigure.DikeProperties.AdaptiveSettings;
import dev.dike.spring.autoconfigure.DikeProperties.BatchSettings;
import dev.dike.spring.autoconfigure.DikeProperties.LimitScope;
import dev.dike.spring.autoconfigure.DikeProperties.BudgetSettings;
import dev.dike.spring.autoconfigure.DikeProperties.LimitSettings;
import dev.dike.spring.autoconfigure.DikeProperties.MissingKey;
import dev.dike.spring.autoconfigure.DikeProperties.RetrySettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.PropertyResolver;

/**
 * Resolves the name and configuration of an annotated method's instance, by precedence: instance
 * properties, then annotation attributes, then {@code dike.<kind>.defaults}, then the built-in
 * defaults. Annotation strings may hold {@code ${...}} placeholders. Every invalid value fails with
 * a {@link DikeConfigurationException} naming the method, the attribute or property, and the value.
 * {@link #checkDefaults} checks {@code dike.<kind>.defaults} alone, so that an invalid default fails
 * the startup even where every instance overrides it.
 */
final class InstanceConfigResolver {

    private final DikeProperties properties;
    private final PropertyResolver placeholders;

    InstanceConfigResolver(DikeProperties properties, PropertyResolver placeholders) {
        this.properties = properties;
        this.placeholders = placeholders;
    }

    /**
     * @return the instance name: the annotation's {@code name} with placeholders resolved, or the
     *         method's default name
     */
    String name(String annotation, String declaredName, AdvisedMethod where) {
        if (declaredName.isEmpty()) {
            return where.defaultName();
        }
        String resolved = resolve(annotation, "name", declaredName, where);
        if (resolved.isBlank()) {
            throw invalid(where, annotation, Setting.fromAnnotation(annotation, "name", resolved, quote(declaredName)),
                    "must not be blank", null);
        }
        return resolved;
    }

    RetryConfig retry(Retry annotation, String name, AdvisedMethod where) {
        Scope scope = new Scope("@Retry", "retry", name, where);
        RetrySettings instance = instance(properties.getRetry().getInstances(), name, new RetrySettings());
        RetrySettings defaults = properties.getRetry().getDefaults();

        Setting<Integer> attempts = scope.pick("attempts", instance.getAttempts(), defaults.getAttempts(),
                annotation.attempts() == Retry.UNSET ? null : annotation.attempts(), String.valueOf(annotation.attempts()));
        Setting<Duration> delay = scope.pick("delay", instance.getDelay(), defaults.getDelay(),
                scope.duration("delay", annotation.delay()), quote(annotation.delay()));
        Setting<Double> backoff = scope.pick("backoff", instance.getBackoff(), defaults.getBackoff(),
                Double.isNaN(annotation.backoff()) ? null : annotation.backoff(), String.valueOf(annotation.backoff()));
        Setting<Duration> maxDelay = scope.pick("max-delay", instance.getMaxDelay(), defaults.getMaxDelay(),
                scope.duration("maxDelay", annotation.maxDelay()), quote(annotation.maxDelay()));
        Setting<Double> jitter = scope.pick("jitter", instance.getJitter(), defaults.getJitter(),
                Double.isNaN(annotation.jitter()) ? null : annotation.jitter(), String.valueOf(annotation.jitter()));
        Setting<List<Class<?>>> exceptionTypes = scope.pick("exception-types", instance.getExceptionTypes(),
                defaults.getExceptionTypes(), classes(annotation.exceptionTypes()), classText(annotation.exceptionTypes()));
        Setting<List<Class<?>>> ignoredExceptionTypes = scope.pick("ignored-exception-types",
                instance.getIgnoredExceptionTypes(), defaults.getIgnoredExceptionTypes(),
                classes(annotation.ignoredExceptionTypes()), classText(annotation.ignoredExceptionTypes()));
        // An annotation cannot tell an explicit true from its default, so only false counts as set.
        Setting<Boolean> logExceptionInfo = scope.pick("log-exception-info", instance.getLogExceptionInfo(),
                defaults.getLogExceptionInfo(), annotation.logExceptionInfo() ? null : Boolean.FALSE, "false");

        RetryConfig.Builder builder = RetryConfig.builder();
        scope.apply(attempts, value -> builder.attempts(value), value -> RetryConfig.builder().attempts(value).build());
        scope.apply(delay, builder::delay, value -> RetryConfig.builder().delay(value).build());
        scope.apply(backoff, builder::backoff, value -> RetryConfig.builder().backoff(value).build());
        scope.apply(maxDelay, builder::maxDelay, value -> RetryConfig.builder().maxDelay(value).build());
        scope.apply(jitter, builder::jitter, value -> RetryConfig.builder().jitter(value).build());
        scope.apply(exceptionTypes, value -> builder.exceptionTypes(scope.throwables(exceptionTypes)),
                value -> RetryConfig.builder().exceptionTypes(scope.throwables(exceptionTypes)).build());
        scope.apply(ignoredExceptionTypes, value -> builder.ignoredExceptionTypes(scope.throwables(ignoredExceptionTypes)),
                value -> scope.throwables(ignoredExceptionTypes));
        scope.apply(logExceptionInfo, builder::logExceptionInfo, value -> { });
        Setting<Boolean> respectRetryAfter = scope.pick("respect-retry-after", instance.getRespectRetryAfter(),
                defaults.getRespectRetryAfter(), null, "");
        Setting<Duration> maxRetryAfter = scope.pick("max-retry-after", instance.getMaxRetryAfter(),
                defaults.getMaxRetryAfter(), null, "");
        scope.apply(respectRetryAfter, builder::respectRetryAfter, value -> { });
        scope.apply(maxRetryAfter, builder::maxRetryAfter, value -> RetryConfig.builder().maxRetryAfter(value).build());
        return scope.build(builder::build);
    }

    /**
     * Resolves the retry budget of an instance from {@code dike.retry.instances.<name>.budget.*} and
     * {@code dike.retry.defaults.budget.*}; there are no annotation attributes for it.
     *
     * @return its settings, or {@code null} when the budget is switched off
     * @throws DikeConfigurationException naming the property of an invalid value
     */
    RetryBudgetSpec retryBudget(String name, AdvisedMethod where) {
        Scope scope = new Scope("@Retry", "retry", name, where);
        String budgetName = name != null ? name : "defaults";
        BudgetSettings instance = instance(properties.getRetry().getInstances(), name, new RetrySettings()).getBudget();
        BudgetSettings defaults = properties.getRetry().getDefaults().getBudget();
        Setting<Boolean> enabled = scope.pick("budget.enabled", instance.getEnabled(), defaults.getEnabled(), null, "");
        if (enabled.isSet() && !enabled.value()) {
            return null;
        }
        Setting<Double> percent = scope.pick("budget.percent", instance.getPercent(), defaults.getPercent(), null, "");
        Setting<Double> perSecond = scope.pick("budget.min-retries-per-second", instance.getMinRetriesPerSecond(),
                defaults.getMinRetriesPerSecond(), null, "");
        Setting<Duration> window = scope.pick("budget.window", instance.getWindow(), defaults.getWindow(), null, "");
        RetryBudgetSpec spec = RetryBudgetSpec.DEFAULT;
        double[] values = {spec.percent(), spec.minRetriesPerSecond()};
        Duration[] windows = {spec.window()};
        scope.apply(percent, value -> values[0] = value, value -> RetryBudget.builder(budgetName).percent(value).build());
        // Alone, each with a value of the other that keeps their product, the reserve, out of the check.
        scope.apply(perSecond, value -> values[1] = value,
                value -> RetryBudget.builder(budgetName).minRetriesPerSecond(value).window(Duration.ofNanos(1)).build());
        scope.apply(window, value -> windows[0] = value,
                value -> RetryBudget.builder(budgetName).minRetriesPerSecond(0).window(value).build());
        try {
            RetryBudget.builder(budgetName).minRetriesPerSecond(values[1]).window(windows[0]).build();
        } catch (IllegalArgumentException e) {
            throw scope.invalidReserve(perSecond, window, e);
        }
        return new RetryBudgetSpec(values[0], values[1], windows[0]);
    }

    LimitSpec limit(LimitJobs annotation, String name, AdvisedMethod where) {
        Scope scope = new Scope("@LimitJobs", "limit", name, where);
        LimitSettings instance = instance(properties.getLimit().getInstances(), name, new LimitSettings());
        LimitSettings defaults = properties.getLimit().getDefaults();

        Setting<Integer> limit = scope.pick("limit", instance.getLimit(), defaults.getLimit(),
                annotation.limit() == LimitJobs.UNSET ? null : annotation.limit(), String.valueOf(annotation.limit()));
        Setting<Duration> maxWait = scope.pick("max-wait", instance.getMaxWait(), defaults.getMaxWait(),
                scope.duration("maxWait", annotation.maxWait()), quote(annotation.maxWait()));
        scope.require(limit, "limit", "limit");
        String checkedName = name != null ? name : "defaults";
        scope.apply(limit, value -> { }, value -> LimitSpec.check(checkedName, value, Duration.ZERO));
        scope.apply(maxWait, value -> { }, value -> LimitSpec.check(checkedName, 0, value));
        Setting<LimitScope> limitScope = scope.pick("scope", instance.getScope(), defaults.getScope(), null, null);
        // Checking the defaults alone, the limit may be unset (required only of an instance): nothing to adapt.
        AdaptiveConfig adaptive = limit.isSet()
                ? adaptive(scope, instance.getAdaptive(), defaults.getAdaptive(), limit.value(), limitScope) : null;
        return scope.build(() -> new LimitSpec(limit.value(), maxWait.isSet() ? maxWait.value() : Duration.ZERO, adaptive));
    }

    /**
     * @return the adaptive settings of a limiter whose {@code limit} is resolved, or {@code null} if it
     *         is not adaptive; every invalid value is reported at once, by property. An adaptive
     *         limit with {@code scope: cluster} is refused: a cluster-wide adaptive limit is not designed
     *         yet, and silently ignoring the adaptive settings would be worse than stopping startup.
     */
    private static AdaptiveConfig adaptive(Scope scope, AdaptiveSettings instance, AdaptiveSettings defaults, int limit,
            Setting<LimitScope> limitScope) {
        Setting<Boolean> enabled = scope.pick("adaptive.enabled", instance.getEnabled(), defaults.getEnabled(), null, null);
        if (!enabled.isSet() || !enabled.value()) {
            return null;
        }
        if (limitScope.value() == LimitScope.CLUSTER && scope.where != null) {
            // An error of an instance only: checking the defaults alone, every instance may still override either.
            throw scope.adaptiveCluster(enabled, limitScope);
        }
        Setting<Integer> initial = scope.pick("adaptive.initial-limit", instance.getInitialLimit(),
                defaults.getInitialLimit(), null, null);
        Setting<Integer> min = scope.pick("adaptive.min-limit", instance.getMinLimit(), defaults.getMinLimit(), null, null);
        Setting<Integer> max = scope.pick("adaptive.max-limit", instance.getMaxLimit(), defaults.getMaxLimit(), null, null);
        Setting<Duration> window = scope.pick("adaptive.window", instance.getWindow(), defaults.getWindow(), null, null);
        Setting<Double> tolerance = scope.pick("adaptive.tolerance", instance.getTolerance(), defaults.getTolerance(),
                null, null);
        Setting<Duration> baselineWindow = scope.pick("adaptive.baseline-window", instance.getBaselineWindow(),
                defaults.getBaselineWindow(), null, null);

        AdaptiveConfig.Builder builder = AdaptiveConfig.builder(initial.isSet() ? initial.value() : limit);
        if (min.isSet()) {
            builder.minLimit(min.value());
        }
        if (max.isSet()) {
            builder.maxLimit(max.value());
        }
        if (window.isSet()) {
            builder.window(window.value());
        }
        if (tolerance.isSet()) {
            builder.tolerance(tolerance.value());
        }
        if (baselineWindow.isSet()) {
            builder.baselineWindow(baselineWindow.value());
        }
        List<String> problems = builder.problems();
        if (!problems.isEmpty()) {
            // Name each setting by the property that set it (initialLimit defaults to the limit).
            Map<String, Setting<?>> byAttribute = Map.of("initialLimit", initial, "minLimit", min, "maxLimit", max,
                    "window", window, "tolerance", tolerance, "baselineWindow", baselineWindow);
            List<String> named = new ArrayList<>();
            for (String problem : problems) {
                String attribute = problem.substring(0, problem.indexOf(' '));
                Setting<?> setting = byAttribute.get(attribute);
                String origin = setting.isSet() ? setting.property()
                        : attribute.equals("initialLimit") ? "adaptive.initial-limit (default: the limit)"
                        : "adaptive." + kebabCase(attribute) + " (default)";
                named.add(origin + ": " + problem);
            }
            throw scope.invalidAdaptive(String.join("; ", named));
        }
        return builder.build();
    }

    /** @return whether the instance (or the limit defaults) asks for {@code scope: cluster} */
    boolean clusterScope(String name) {
        LimitSettings instance = instance(properties.getLimit().getInstances(), name, new LimitSettings());
        LimitScope scope = instance.getScope() != null ? instance.getScope() : properties.getLimit().getDefaults().getScope();
        return scope == LimitScope.CLUSTER;
    }

    BatchConfig batch(Batch annotation, String name, AdvisedMethod where) {
        Scope scope = new Scope("@Batch", "batch", name, where);
        BatchSettings instance = instance(properties.getBatch().getInstances(), name, new BatchSettings());
        BatchSettings defaults = properties.getBatch().getDefaults();

        Setting<Integer> target = scope.pick("target-batch-size", instance.getTargetBatchSize(),
                defaults.getTargetBatchSize(), annotation.targetBatchSize() == Batch.UNSET ? null
                        : annotation.targetBatchSize(), String.valueOf(annotation.targetBatchSize()));
        Setting<Duration> maxWaitingTime = scope.pick("max-waiting-time", instance.getMaxWaitingTime(),
                defaults.getMaxWaitingTime(), scope.duration("maxWaitingTime", annotation.maxWaitingTime()),
                quote(annotation.maxWaitingTime()));
        Setting<Duration> maxProcessingTime = scope.pick("max-processing-time", instance.getMaxProcessingTime(),
                defaults.getMaxProcessingTime(), scope.duration("maxProcessingTime", annotation.maxProcessingTime()),
                quote(annotation.maxProcessingTime()));
        Setting<Integer> maxConcurrent = scope.pick("max-concurrent-batches", instance.getMaxConcurrentBatches(),
                defaults.getMaxConcurrentBatches(), annotation.maxConcurrentBatches() == Batch.UNSET ? null
                        : annotation.maxConcurrentBatches(), String.valueOf(annotation.maxConcurrentBatches()));
        scope.require(target, "targetBatchSize", "target-batch-size");
        if (maxWaitingTime.isSet() && maxWaitingTime.value().isZero() && !maxConcurrent.isSet()) {
            throw invalid(where, "@Batch", maxWaitingTime, "is 0, which needs maxConcurrentBatches "
                    + "(max-concurrent-batches): with a zero wait a batch is sent as soon as a slot is free and fills "
                    + "only while every slot is busy, so without a cap every call would be sent alone. Set "
                    + "maxConcurrentBatches, or a positive maxWaitingTime", null);
        }

        BatchConfig.Builder builder = BatchConfig.builder();
        scope.apply(target, builder::targetBatchSize, value -> BatchConfig.builder().targetBatchSize(value).build());
        // Checked alone with a cap, which a zero wait needs: whether the cap is there is checked with the rest.
        scope.apply(maxWaitingTime, builder::maxWaitingTime,
                value -> BatchConfig.builder().targetBatchSize(1).maxConcurrentBatches(1).maxWaitingTime(value).build());
        scope.apply(maxProcessingTime, builder::maxProcessingTime,
                value -> BatchConfig.builder().targetBatchSize(1).maxProcessingTime(value).build());
        scope.apply(maxConcurrent, builder::maxConcurrentBatches,
                value -> BatchConfig.builder().targetBatchSize(1).maxConcurrentBatches(value).build());
        return scope.build(builder::build);
    }

    /** @return what a caller of a single-item instance gets when the bulk method's Map lacks its key */
    MissingKey missingKey(String name) {
        MissingKey instance = instance(properties.getBatch().getInstances(), name, new BatchSettings()).getMissingKey();
        MissingKey defaults = properties.getBatch().getDefaults().getMissingKey();
        return instance != null ? instance : defaults != null ? defaults : MissingKey.ABSENT;
    }

    /** Rejects {@code missing-key} on an instance in list mode, where no key can be missing. */
    void requireNoMissingKey(String name, AdvisedMethod where) {
        BatchSettings instance = properties.getBatch().getInstances().get(name);
        if (instance != null && instance.getMissingKey() != null) {
            Scope scope = new Scope("@Batch", "batch", name, where);
            throw invalid(where, "@Batch", Setting.fromProperty(scope.instancePath("missing-key"),
                    instance.getMissingKey().name().toLowerCase()), "applies only to single-item methods, "
                    + "@Batch(bulkMethod = ...), whose bulk method may return a Map without a caller's key", null);
        }
    }

    /**
     * Checks each value under {@code dike.retry.defaults}, {@code dike.limit.defaults} and
     * {@code dike.batch.defaults} on its own, by the rules an instance would apply to it.
     *
     * @param problems receives one exception per invalid value
     */
    void checkDefaults(Consumer<DikeConfigurationException> problems) {
        collect(problems, () -> retry(AnnotationUtils.synthesizeAnnotation(Retry.class), null, null));
        collect(problems, () -> retryBudget(null, null));
        collect(problems, () -> limit(AnnotationUtils.synthesizeAnnotation(LimitJobs.class), null, null));
        collect(problems, () -> batch(AnnotationUtils.synthesizeAnnotation(Batch.class), null, null));
    }

    private static void collect(Consumer<DikeConfigurationException> problems, Runnable check) {
        try {
            check.run();
        } catch (DikeConfigurationException e) {
            problems.accept(e);
        }
    }

    private static <S> S instance(Map<String, S> instances, String name, S none) {
        S settings = name == null ? null : instances.get(name);
        return settings != null ? settings : none;
    }

    private String resolve(String annotation, String attribute, String text, AdvisedMethod where) {
        try {
            return placeholders.resolveRequiredPlaceholders(text);
        } catch (IllegalArgumentException e) {
            throw invalid(where, annotation, Setting.fromAnnotation(annotation, attribute, text, quote(text)),
                    "has a placeholder that cannot be resolved: " + e.getMessage(), e);
        }
    }

    private static List<Class<?>> classes(Class<?>[] types) {
        return types.length == 0 ? null : Arrays.asList(types);
    }

    private static String classText(Class<?>[] types) {
        return Arrays.stream(types).map(type -> type.getSimpleName() + ".class").toList().toString()
                .replace('[', '{').replace(']', '}');
    }

    private static String quote(String text) {
        return '"' + text + '"';
    }

    static DikeConfigurationException invalid(AdvisedMethod where, String annotation, Setting<?> setting,
            String problem, Throwable cause) {
        String of = where != null ? annotation + " on " + where.describe() : annotation + " defaults";
        return new DikeConfigurationException("Invalid configuration of " + of + ": " + setting.origin() + " "
                + problem, setting.fix(), cause);
    }

    /**
     * The settings of one instance being resolved: picks values by precedence and checks them. With
     * no name and no method, the defaults alone: each set value is checked, nothing is required and
     * nothing is built.
     */
    private final class Scope {

        private final String annotation;
        private final String kind;
        private final String name;
        private final AdvisedMethod where;

        Scope(String annotation, String kind, String name, AdvisedMethod where) {
            this.annotation = annotation;
            this.kind = kind;
            this.name = name;
            this.where = where;
        }

        /** Precedence: instance property, annotation attribute, defaults property. */
        <T> Setting<T> pick(String property, T instanceValue, T defaultsValue, T annotationValue, String annotationText) {
            return Setting.fromProperty(instancePath(property), instanceValue)
                    .or(Setting.fromAnnotation(annotation, camelCase(property), annotationValue, annotationText))
                    .or(Setting.fromProperty("dike." + kind + ".defaults." + property, defaultsValue));
        }

        Duration duration(String attribute, String text) {
            if (text.isEmpty()) {
                return null;
            }
            String resolved = resolve(annotation, attribute, text, where);
            try {
                return DurationStyle.detectAndParse(resolved.trim());
            } catch (IllegalArgumentException e) {
                throw invalid(where, annotation, Setting.fromAnnotation(annotation, attribute, resolved, quote(text)),
                        "is not a duration such as 100ms, 2s or PT0.5S", e);
            }
        }

        void require(Setting<?> setting, String attribute, String property) {
            if (!setting.isSet() && where != null) {
                throw new DikeConfigurationException("Missing configuration of " + annotation + " on "
                        + where.describe() + ": instance '" + name + "' has no " + attribute + ".",
                        "Set " + annotation + "(" + attribute + " = ...), " + instancePath(property)
                                + " or dike." + kind + ".defaults." + property + ".", null);
            }
        }

        /** Checks the value on its own with the core's rules, naming its origin if invalid, then applies it. */
        <T> void apply(Setting<T> setting, Consumer<T> target, Consumer<T> checkAlone) {
            if (!setting.isSet()) {
                return;
            }
            try {
                checkAlone.accept(setting.value());
            } catch (IllegalArgumentException e) {
                throw invalid(where, annotation, setting, "is invalid: " + e.getMessage(), e);
            }
            target.accept(setting.value());
        }

        List<Class<? extends Throwable>> throwables(Setting<List<Class<?>>> setting) {
            for (Class<?> type : setting.value()) {
                if (type == null || !Throwable.class.isAssignableFrom(type)) {
                    throw invalid(where, annotation, setting, "is invalid: " + type + " is not a Throwable", null);
                }
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            List<Class<? extends Throwable>> types = (List) List.copyOf(setting.value());
            return types;
        }

        /** Builds once every value passed alone; a failure now comes from a combination of values. */
        <C> C build(java.util.function.Supplier<C> build) {
            if (where == null) {
                return null;
            }
            try {
                return build.get();
            } catch (IllegalArgumentException e) {
                throw new DikeConfigurationException("Invalid configuration of " + annotation + " on "
                        + where.describe() + " (instance '" + name + "'): " + e.getMessage(),
                        "Correct the attributes of " + annotation + " or the properties under " + instancePath("")
                                + " and dike." + kind + ".defaults.", e);
            }
        }

        /**
         * The retry budget's reserve is too large: named by both properties, set or defaulted. The action
         * names the properties that set the values (the defaults' keys for a built-in default), so that
         * every instance and the defaults check finding the same pair report it once.
         */
        DikeConfigurationException invalidReserve(Setting<Double> perSecond, Setting<Duration> window,
                IllegalArgumentException problem) {
            String of = where != null ? " on " + where.describe() + " (instance '" + name + "')" : " defaults";
            String defaults = "dike." + kind + ".defaults.";
            String perSecondOrigin = perSecond.isSet() ? perSecond.origin()
                    : "budget.min-retries-per-second (default " + RetryBudgetSpec.DEFAULT.minRetriesPerSecond() + ")";
            String windowOrigin = window.isSet() ? window.origin()
                    : "budget.window (default " + RetryBudgetSpec.DEFAULT.window() + ")";
            String perSecondProperty = perSecond.isSet() ? perSecond.property() : defaults + "budget.min-retries-per-second";
            String windowProperty = window.isSet() ? window.property() : defaults + "budget.window";
            return new DikeConfigurationException("Invalid retry budget of " + annotation + of + ": "
                    + perSecondOrigin + " x " + windowOrigin + ": " + problem.getMessage(),
                    "Correct the property " + perSecondProperty + " or " + windowProperty
                            + " in the application's configuration: lower either.", problem);
        }

        DikeConfigurationException invalidAdaptive(String problems) {
            String of = where != null ? " on " + where.describe() + " (instance '" + name + "')" : " defaults";
            return new DikeConfigurationException("Invalid adaptive limit of " + annotation + of + ": " + problems,
                    "Correct the properties under " + instancePath("adaptive") + " or dike." + kind
                            + ".defaults.adaptive.", null);
        }

        /** {@code adaptive.enabled} and {@code scope: cluster} together: named by the properties that set them. */
        DikeConfigurationException adaptiveCluster(Setting<Boolean> enabled, Setting<LimitScope> limitScope) {
            return new DikeConfigurationException("Adaptive limit with scope cluster for " + annotation + " on "
                    + where.describe() + " (instance '" + name + "'): " + enabled.property() + "=true and "
                    + limitScope.property() + "=cluster, but an adaptive limit is local only (a cluster-wide adaptive "
                    + "limit is not designed yet), so its adaptive settings would be ignored.",
                    "Set " + instancePath("adaptive.enabled") + "=false, or " + instancePath("scope") + "=local.", null);
        }

        String instancePath(String property) {
            if (name == null) { // checking the defaults: no instance
                return "dike." + kind + ".defaults" + (property.isEmpty() ? "" : "." + property);
            }
            String key = name.matches("[a-z0-9-]+") ? "." + name : "[" + name + "]";
            return "dike." + kind + ".instances" + key + (property.isEmpty() ? "" : "." + property);
        }
    }

    private static String kebabCase(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static String camelCase(String kebab) {
        StringBuilder result = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                result.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return result.toString();
    }
}
