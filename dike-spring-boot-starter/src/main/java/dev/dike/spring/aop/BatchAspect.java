package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.reflect.MethodSignature;

/** Applies {@link dev.dike.annotation.Batch}: merges concurrent calls into one call per batch. */
@Aspect
final class BatchAspect extends DikeAspect {

    BatchAspect(Supplier<MethodPlans> plans, int order) {
        super(plans, order);
    }

    @Around("@annotation(dev.dike.annotation.Batch) || @within(dev.dike.annotation.Batch)")
    Object batch(ProceedingJoinPoint joinPoint) throws Throwable {
        BatchPlan plan = plans().batch(joinPoint);
        return plan == null ? joinPoint.proceed()
                : plan.invoke(joinPoint, ((MethodSignature) joinPoint.getSignature()).getMethod());
    }
}
