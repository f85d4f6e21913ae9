package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;

/** Applies {@link dev.dike.annotation.Batch}: merges concurrent calls into one call per batch. */
final class BatchInterceptor extends DikeInterceptor {

    BatchInterceptor(Supplier<MethodPlans> plans) {
        super(plans);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        BatchPlan plan = plans().batch(invocation);
        return plan == null ? invocation.proceed() : plan.invoke(invocation);
    }
}
