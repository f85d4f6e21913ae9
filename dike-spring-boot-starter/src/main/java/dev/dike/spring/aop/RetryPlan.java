package dev.dike.spring.aop;

import dev.dike.retry.Retrier;

import org.aspectj.lang.ProceedingJoinPoint;

/**
 * How one {@code @Retry} method is called: every attempt proceeds through the join point again,
 * which runs the inner advice (such as {@code @LimitJobs}) and the method anew.
 */
final class RetryPlan {

    private final Retrier retrier;
    private final ReturnKind kind;
    private final ReactiveAdapter reactive;

    RetryPlan(Retrier retrier, ReturnKind kind, ReactiveAdapter reactive) {
        this.retrier = retrier;
        this.kind = kind;
        this.reactive = reactive;
    }

    Retrier retrier() {
        return retrier;
    }

    Object invoke(ProceedingJoinPoint joinPoint) throws Throwable {
        return switch (kind) {
            case PLAIN -> retrier.call(() -> Invocations.proceed(joinPoint::proceed));
            case FUTURE -> retrier.executeAsync(() -> Invocations.proceedAsync(joinPoint));
            case MONO -> reactive.retry(retrier, joinPoint::proceed, false);
            case FLUX -> reactive.retry(retrier, joinPoint::proceed, true);
        };
    }
}
