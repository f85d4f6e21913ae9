package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;

/** Applies {@link dev.dike.annotation.Retry}: calls the method again when it fails. */
final class RetryInterceptor extends DikeInterceptor {

    RetryInterceptor(Supplier<MethodPlans> plans) {
        super(plans);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        RetryPlan plan = plans().retry(invocation);
        return plan == null ? invocation.proceed() : plan.invoke(invocation);
    }
}
