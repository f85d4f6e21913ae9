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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInvocation;
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
    /** Per bean class, then per method: found on every call without allocating a composite key. */
    private final ClassValue<Map<Method, Plans>> plans = new ClassValue<>() {
        @Override
        protected Map<Method, Plans> computeValue(Class<?> beanClass) {
            return new ConcurrentHashMap<>();
        }
    };
    private final Set<String> retryNames = ConcurrentHashMap.newKeySet();
    private final Set<String> limitNames = ConcurrentHashMap.newKeySet();
    private final Set<String> batchNames = ConcurrentHashMap.newKeySet();

    /**
     * @param reactive the Reactor adapter, or {@code null} when Reactor is not on the class path
     */
    MethodPlans(DikeRegistry registry, InstanceConfigResolver config, ReactiveAdapter reactive) {
        this.registry = registry;
        this.config = config;
        this.reactive = reactive;
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

    /**
     * Resolves every annotated method of a bean, creating its instances.
     *
     * @throws DikeConfigurationException for the first invalid annotation or property
     */
    void resolve(String beanName, Class<?> userClass, Iterable<Method> methods) {
        for (Method method : methods) {
            plans.get(userClass).computeIfAbsent(method,
                    key -> create(new AdvisedMethod(beanName, userClass, method)));
        }
    }

    private Plans of(MethodInvocation invocation) {
        Class<?> targetClass = AopProxyUtils.ultimateTargetClass(invocation.getThis());
        Method method = invocation.getMethod();
        Map<Method, Plans> ofClass = plans.get(targetClass);
        Plans found = ofClass.get(method);
        if (found != null) {
            return found;
        }
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        return ofClass.computeIfAbsent(method, key -> create(new AdvisedMethod(null, targetClass, specific)));
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
                    "Make the method public and not final, or remove the annotation.", null);
        }
        ReturnKind kind = ReturnKind.of(method.getReturnType());
        if ((kind == ReturnKind.MONO || kind == ReturnKind.FLUX) && reactive == null) {
            kind = null;
        }
        return new Plans(retry == null ? null : retryPlan(retry, kind, where),
                limit == null ? null : limitPlan(limit, kind, where),
                batch == null ? null : batchPlan(batch, kind, where));
    }

    private RetryPlan retryPlan(Retry annotation, ReturnKind kind, AdvisedMethod where) {
        requireSupported("@Retry", kind, where);
        String name = config.name("@Retry", annotation.name(), where);
        var retryConfig = config.retry(annotation, name, where);
        retryNames.add(name);
        return new RetryPlan(shared("@Retry", name, where, () -> registry.retrier(name, retryConfig)), kind, reactive);
    }

    private LimitPlan limitPlan(LimitJobs annotation, ReturnKind kind, AdvisedMethod where) {
        requireSupported("@LimitJobs", kind, where);
        String name = config.name("@LimitJobs", annotation.name(), where);
        LimitSpec spec = config.limit(annotation, name, where);
        limitNames.add(name);
        return new LimitPlan(shared("@LimitJobs", name, where, () -> registry.limiter(name, spec.limit(), spec.maxWait())),
                kind, reactive);
    }

    private BatchPlan batchPlan(Batch annotation, ReturnKind kind, AdvisedMethod where) {
        BatchSignature signature = BatchSignature.of(where, kind);
        String name = config.name("@Batch", annotation.name(), where);
        BatchConfig batchConfig = config.batch(annotation, name, where);
        batchNames.add(name);
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
}
