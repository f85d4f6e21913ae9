package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;

import org.aopalliance.intercept.MethodInvocation;

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

    Object invoke(MethodInvocation invocation) throws Throwable {
        return switch (kind) {
            // Runs at most once, on this thread, before invoke returns: the invocation itself proceeds.
            case PLAIN -> limiter.call(() -> Invocations.proceed(invocation::proceed));
            // May run later on another thread (after waiting for a permit), or once per subscription.
            case FUTURE -> limiter.executeAsync(() -> Invocations.proceedAsync(Invocations.again(invocation),
                    invocation.getMethod()));
            case MONO -> reactive.limit(limiter, Invocations.again(invocation), false);
            case FLUX -> reactive.limit(limiter, Invocations.again(invocation), true);
        };
    }
}
