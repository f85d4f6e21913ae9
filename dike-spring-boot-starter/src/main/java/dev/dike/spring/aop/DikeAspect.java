package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.springframework.core.Ordered;

/**
 * What the three aspects share: the method plans and an order from {@code dike.aspect-order.*}.
 * Each aspect is its own class because Spring orders advice per aspect.
 */
abstract class DikeAspect implements Ordered {

    // Resolved on the first call, so that creating the aspect early (Spring orders advisors while
    // it proxies the first beans) does not pull the registry and its observers in early too.
    private final Supplier<MethodPlans> plans;
    private final int order;

    DikeAspect(Supplier<MethodPlans> plans, int order) {
        this.plans = plans;
        this.order = order;
    }

    final MethodPlans plans() {
        return plans.get();
    }

    @Override
    public final int getOrder() {
        return order;
    }
}
