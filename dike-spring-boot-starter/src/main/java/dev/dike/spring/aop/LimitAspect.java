package dev.dike.spring.aop;

import java.util.function.Supplier;

import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;

/** Applies {@link dev.dike.annotation.LimitJobs}: runs the method under a permit of its limiter. */
@Aspect
final class LimitAspect extends DikeAspect {

    LimitAspect(Supplier<MethodPlans> plans, int order) {
        super(plans, order);
    }

    @Around("@annotation(dev.dike.annotation.LimitJobs) || @within(dev.dike.annotation.LimitJobs)")
    Object limit(ProceedingJoinPoint joinPoint) throws Throwable {
        LimitPlan plan = plans().limit(joinPoint);
        return plan == null ? joinPoint.proceed() : plan.invoke(joinPoint);
    }
}
