package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;

/** Applies {@link dev.dike.annotation.Retry}: calls the method again when it fails. */
@Aspect
final class RetryAspect extends DikeAspect {

    RetryAspect(Supplier<MethodPlans> plans, int order) {
        super(plans, order);
    }

    @Around("@annotation(dev.dike.annotation.Retry) || @within(dev.dike.annotation.Retry)")
    Object retry(ProceedingJoinPoint joinPoint) throws Throwable {
        RetryPlan plan = plans().retry(joinPoint);
        return plan == null ? joinPoint.proceed() : plan.invoke(joinPoint);
    }
}
