package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;

import org.aopalliance.intercept.MethodInvocation;

/** How one {@code @LimitJobs} method is called: under a permit held until its result completes. */
final class LimitPlan {

    private final JobLimiter limiter;
    private final ReturnKind kind;
    private final ReactiveAdapter reactive;
    /** For {@code scope: cluster}: runs the calls instead of {@link #limiter}, which is then {@code null}. */
    private final ClusterLimitPlans.Runner cluster;

    LimitPlan(JobLimiter limiter, ReturnKind kind, ReactiveAdapter reactive) {
        this(limiter, kind, reactive, null);
    }

    LimitPlan(JobLimiter limiter, ReturnKind kind, ReactiveAdapter reactive, ClusterLimitPlans.Runner cluster) {
        this.limiter = limiter;
        this.kind = kind;
        this.reactive = reactive;
        this.cluster = cluster;
    }

    JobLimiter limiter() {
        return limiter;
    }

    Object invoke(MethodInvocation invocation) throws Throwable {
        if (cluster != null) {
            return cluster.invoke(invocation, kind, reactive);
        }
        return switch (kind) {
            // The operation runs at most once (perhaps later, on another thread, after waiting for a
            // permit, as Spring's own async interceptor does): the invocation itself proceeds.
            case PLAIN -> limiter.call(() -> Invocations.proceed(invocation::proceed));
            case FUTURE -> limiter.executeAsync(() -> Invocations.proceedAsync(invocation::proceed, invocation.getMethod()));
            // A publisher may be subscribed to more than once: each subscription proceeds on its own copy.
            case MONO -> reactive.limit(limiter, Invocations.again(invocation), false);
            case FLUX -> reactive.limit(limiter, Invocations.again(invocation), true);
        };
    }
}
