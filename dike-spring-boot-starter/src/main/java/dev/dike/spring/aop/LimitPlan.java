package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;

import org.aspectj.lang.ProceedingJoinPoint;

/** How one {@code @LimitJobs} method is called: under a permit held until its result completes. */
final class LimitPlan {

    private final JobLimiter limiter;
    private final ReturnKind kind;
    private final ReactiveAdapter reactive;

    LimitPlan(JobLimiter limiter, ReturnKind kind, ReactiveAdapter reactive) {
        this.limiter = limiter;
        this.kind = kind;
        this.reactive = reactive;
    }

    JobLimiter limiter() {
        return limiter;
    }

    Object invoke(ProceedingJoinPoint joinPoint) throws Throwable {
        return switch (kind) {
            case PLAIN -> limiter.call(() -> Invocations.proceed(joinPoint::proceed));
            case FUTURE -> limiter.executeAsync(() -> Invocations.proceedAsync(joinPoint));
            case MONO -> reactive.limit(limiter, joinPoint::proceed, false);
            case FLUX -> reactive.limit(limiter, joinPoint::proceed, true);
        };
    }
}
