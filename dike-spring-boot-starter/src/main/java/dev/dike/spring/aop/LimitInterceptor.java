package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;

/** Applies {@link dev.dike.annotation.LimitJobs}: runs the method under a permit of its limiter. */
final class LimitInterceptor extends DikeInterceptor {

    LimitInterceptor(Supplier<MethodPlans> plans) {
        super(plans);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        LimitPlan plan = plans().limit(invocation);
        return plan == null ? invocation.proceed() : plan.invoke(invocation);
    }
}
