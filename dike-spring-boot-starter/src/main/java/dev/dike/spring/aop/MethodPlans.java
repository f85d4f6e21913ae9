package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.DikeRegistry;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.SpringProxy;
import org.springframework.aop.TargetClassAware;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;

/**
 * Turns each annotated method into the plans the interceptors follow, once per bean class and method:
 * resolves the instance name and configuration, checks the method, and gets the instance from the
 * {@link DikeRegistry}. The startup check fills it for every bean; a class met only at call time is
 * resolved on its first call.
 */
final class MethodPlans {

    private static final Plans NONE = new Plans(null, null, null);

    private final DikeRegistry registry;
    private final InstanceConfigResolver config;
    private final ReactiveAdapter reactive;
    /** The {@code ClusterLimitFactory} bean, if any; typed loosely so that this class loads without dike-redis. */
    private final Supplier<Object> clusterLimits;
    /** Per bean class, then per method: found on every call without allocating a composite key. */
    private final ClassValue<ClassPlans> plans = new ClassValue<>() {
        @Override
        protected ClassPlans computeValue(Class<?> beanClass) {
            return new ClassPlans(beanClass);
        }
    };
    private final Set<String> retryNames = ConcurrentHashMap.newKeySet();
    private final Set<String> limitNames = ConcurrentHashMap.newKeySet();
    private final Set<String> batchNames = ConcurrentHashMap.newKeySet();

    /**
     * @param reactive the Reactor adapter, or {@code null} when Reactor is not on the class path
     */
    MethodPlans(DikeRegistry registry, InstanceConfigResolver config, ReactiveAdapter reactive) {
        this(registry, config, reactive, () -> null);
    }

    /**
     * @param clusterLimits supplies the {@code ClusterLimitFactory} bean, or {@code null} when there is none
     */
    MethodPlans(DikeRegistry registry, InstanceConfigResolver config, ReactiveAdapter reactive,
            Supplier<Object> clusterLimits) {
        this.registry = registry;
        this.config = config;
        this.reactive = reactive;
        this.clusterLimits = clusterLimits;
    }

    RetryPlan retry(MethodInvocation invocation) {
        return of(invocation).retry;
    }

    LimitPlan limit(MethodInvocation invocation) {
        return of(invocation).limit;
    }

    BatchPlan batch(MethodInvocation invocation) {
        return of(invocation).batch;
    }

    /** @return the names used by {@code @Retry}, {@code @LimitJobs} or {@code @Batch} methods so far */
    Set<String> names(Class<? extends Annotation> kind) {
        return kind == Retry.class ? retryNames : kind == LimitJobs.class ? limitNames : batchNames;
    }

    /** Checks {@code dike.<kind>.defaults} on their own; see {@link InstanceConfigResolver#checkDefaults}. */
    void checkDefaults(java.util.function.Consumer<DikeConfigurationException> problems) {
        config.checkDefaults(problems);
    }

    /**
     * Resolves every annotated method of a bean, creating its instances.
     *
     * @throws DikeConfigurationException for the first invalid annotation or property
     */
    void resolve(String beanName, Class<?> userClass, Iterable<Method> methods) {
        for (Method method : methods) {
            plans.get(userClass).byMethod.computeIfAbsent(method,
                    key -> create(new AdvisedMethod(beanName, userClass, method)));
        }
    }

    private Plans of(MethodInvocation invocation) {
        Object target = invocation.getThis();
        ClassPlans ofClass = plans.get(target.getClass());
        if (ofClass.ofProxies) { // the target is itself a proxy: the bean class is behind it, per instance
            ofClass = plans.get(AopProxyUtils.ultimateTargetClass(target));
        }
        Class<?> targetClass = ofClass.beanClass;
        Method method = invocation.getMethod();
        Plans found = ofClass.calledWith(method);
        if (found != null) {
            return found;
        }
        found = ofClass.byMethod.computeIfAbsent(method,
                key -> create(new AdvisedMethod(null, targetClass, AopUtils.getMostSpecificMethod(key, targetClass))));
        ofClass.rememberCalledWith(method, found);
        return found;
    }

    private Plans create(AdvisedMethod where) {
        Method method = where.method();
        Retry retry = DikeAnnotations.find(method, Retry.class);
        LimitJobs limit = DikeAnnotations.find(method, LimitJobs.class);
        Batch batch = DikeAnnotations.find(method, Batch.class);
        if (retry == null && limit == null && batch == null) {
            return NONE;
        }
        String notAdvisable = DikeAnnotations.whyNotAdvisable(method);
        if (notAdvisable != null) {
            throw new DikeConfigurationException("Dike annotation on " + where.describe()
                    + " cannot take effect: " + notAdvisable + ", and Spring AOP only advises methods it can override.",
                    "Make the method public and not final, and call it through the bean (from another bean that has "
                            + "it injected): a call from the bean's own methods (self-invocation) bypasses the proxy, and "
                            + "the annotation does not apply to it either. Or remove the annotation.", null);
        }
        ReturnKind kind = supportedKind(method);
        // Every annotation is resolved even when another one is invalid: all of the method's problems at once.
        ConfigurationProblems problems = new ConfigurationProblems();
        RetryPlan retryPlan = retry == null ? null : resolve(problems, () -> retryPlan(retry, kind, where));
        LimitPlan limitPlan = limit == null ? null : resolve(problems, () -> limitPlan(limit, kind, where));
        BatchPlan batchPlan = batch == null ? null : resolve(problems, () -> batchPlan(batch, kind, where));
        problems.throwIfAny();
        return new Plans(retryPlan, limitPlan, batchPlan);
    }

    /** The method's return kind, or {@code null} when it is reactive and Reactor is not on the class path. */
    private ReturnKind supportedKind(Method method) {
        ReturnKind kind = ReturnKind.of(method.getReturnType());
        return (kind == ReturnKind.MONO || kind == ReturnKind.FLUX) && reactive == null ? null : kind;
    }

    private static <T> T resolve(ConfigurationProblems problems, Supplier<T> plan) {
        try {
            return plan.get();
        } catch (DikeConfigurationException problem) {
            problems.add(problem);
            return null;
        }
    }

    private RetryPlan retryPlan(Retry annotation, ReturnKind kind, AdvisedMethod where) {
        requireSupported("@Retry", kind, where);
        String name = config.name("@Retry", annotation.name(), where);
        // Used even if invalid: its instance properties are then not reported as unused too.
        retryNames.add(name);
        // The budget is checked even when the retry settings are not: both problems at once.
        ConfigurationProblems problems = new ConfigurationProblems();
        var retryConfig = resolve(problems, () -> config.retry(annotation, name, where));
        var budget = resolve(problems, () -> config.retryBudget(name, where));
        problems.throwIfAny();
        return new RetryPlan(shared("@Retry", name, where, () -> registry.retrier(name, retryConfig, budget)), kind,
                reactive);
    }

    private LimitPlan limitPlan(LimitJobs annotation, ReturnKind kind, AdvisedMethod where) {
        requireSupported("@LimitJobs", kind, where);
        String name = config.name("@LimitJobs", annotation.name(), where);
        // Used even if invalid: its instance properties are then not reported as unused too.
        limitNames.add(name);
        LimitSpec spec = config.limit(annotation, name, where);
        if (config.clusterScope(name)) {
            Object factory = clusterLimits.get();
            if (factory == null) {
                throw new DikeConfigurationException("dike.limit.instances." + name + ".scope is cluster for @LimitJobs on "
                        + where.describe() + ", but there is no Redis connection for cluster limits.",
                        "Add the dependencies dev.dike:dike-redis and spring-boot-starter-data-redis (Lettuce) and configure "
                                + "spring.data.redis.*, or set dike.limit.instances." + name + ".scope=local.", null);
            }
            return shared("@LimitJobs", name, where, () -> ClusterLimitPlans.plan(factory, name, spec, kind, reactive));
        }
        return new LimitPlan(shared("@LimitJobs", name, where, () -> registry.limiter(name, spec.limit(), spec.maxWait(), spec.adaptive())),
                kind, reactive);
    }

    private BatchPlan batchPlan(Batch annotation, ReturnKind kind, AdvisedMethod where) {
        BatchShape signature;
        String name;
        if (annotation.bulkMethod().isEmpty()) {
            signature = BatchSignature.of(where, kind);
            name = config.name("@Batch", annotation.name(), where);
            config.requireNoMissingKey(name, where);
        } else {
            name = config.name("@Batch", annotation.name(), where);
            signature = BulkSignature.of(where, kind, annotation.bulkMethod(), name, config.missingKey(name),
                    reactive != null);
        }
        // Used even if invalid: its instance properties are then not reported as unused too.
        batchNames.add(name);
        BatchConfig batchConfig = config.batch(annotation, name, where);
        Batcher<Object, Object> batcher = shared("@Batch", name, where,
                () -> registry.batcher(name, batchConfig, BatchPlan.OPERATION));
        return new BatchPlan(batcher, signature, reactive);
    }

    private static void requireSupported(String annotation, ReturnKind kind, AdvisedMethod where) {
        if (kind == null) {
            throw new DikeConfigurationException("Unsupported return type for " + annotation + " on "
                    + where.describe() + ": " + where.method().getGenericReturnType().getTypeName()
                    + "; its completion cannot be observed.",
                    "Return a CompletableFuture, CompletionStage, Mono, Flux or a plain value.", null);
        }
    }

    private static <I> I shared(String annotation, String name, AdvisedMethod where,
            java.util.function.Supplier<I> instance) {
        try {
            return instance.get();
        } catch (IllegalStateException e) {
            throw new DikeConfigurationException("Conflicting configuration of " + annotation + " on "
                    + where.describe() + ": " + e.getMessage(),
                    "Give every method that uses the name '" + name + "' the same settings, set them once under "
                            + "the instance's properties, or use different names.", e);
        }
    }

    private record Plans(RetryPlan retry, LimitPlan limit, BatchPlan batch) {
    }

    /**
     * The plans of one bean class. {@code byMethod} finds them by {@link Method#equals}, which
     * compares names and parameter types: the startup check resolves the class's own {@code Method}
     * objects, but a proxy calls with objects of its own, equal and not the same. So the objects
     * proxies call with are also kept in a short list, found by identity, which is what every call
     * after the first one of each method needs.
     */
    private static final class ClassPlans {

        /** Enough for the advised methods of any reasonable bean; a class with more falls back to byMethod. */
        private static final int MOST_REMEMBERED = 16;

        final Class<?> beanClass;
        /**
         * Instances of this class are proxies (say, of a scoped bean), whose bean class depends on
         * the instance. Known once per class because an {@code instanceof} test against an
         * interface a class does not implement costs more on every call than the rest of the lookup.
         */
        final boolean ofProxies;
        final Map<Method, Plans> byMethod = new ConcurrentHashMap<>();
        /** Method, plans, method, plans...: copied on write, read without a lock. */
        private volatile Object[] calledWith = new Object[0];

        ClassPlans(Class<?> beanClass) {
            this.beanClass = beanClass;
            this.ofProxies = SpringProxy.class.isAssignableFrom(beanClass)
                    || TargetClassAware.class.isAssignableFrom(beanClass);
        }

        Plans calledWith(Method method) {
            Object[] known = calledWith;
            for (int i = 0; i < known.length; i += 2) {
                if (known[i] == method) {
                    return (Plans) known[i + 1];
                }
            }
            return null;
        }

        void rememberCalledWith(Method method, Plans plans) {
            if (calledWith.length < 2 * MOST_REMEMBERED) {
                synchronized (this) {
                    Object[] known = calledWith;
                    if (known.length < 2 * MOST_REMEMBERED && calledWith(method) == null) {
                        Object[] more = Arrays.copyOf(known, known.length + 2);
                        more[known.length] = method;
                        more[known.length + 1] = plans;
                        calledWith = more;
                    }
                }
            }
        }
    }
}
