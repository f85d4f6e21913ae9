package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;

/**
 * What the three interceptors share: the method plans, resolved on the first call.
 *
 * <p>They are plain {@code MethodInterceptor}s rather than AspectJ-style {@code @Around} advice: a
 * Spring proxy calls them directly, without building a join point per call, and they work with or
 * without AspectJ on the class path.
 */
abstract class DikeInterceptor implements MethodInterceptor {

    // Resolved on the first call, so that creating the advisor early (Spring looks advisors up while
    // it proxies the first beans) does not pull the registry and its observers in early too.
    private final Supplier<MethodPlans> plans;

    DikeInterceptor(Supplier<MethodPlans> plans) {
        this.plans = plans;
    }

    final MethodPlans plans() {
        return plans.get();
    }
}
