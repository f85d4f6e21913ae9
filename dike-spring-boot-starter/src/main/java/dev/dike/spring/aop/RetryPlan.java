package dev.dike.spring.aop;

import dev.dike.retry.Retrier;

import org.aopalliance.intercept.MethodInvocation;

/**
 * How one {@code @Retry} method is called: every attempt proceeds through a fresh copy of the
 * invocation, which runs the inner advice (such as {@code @LimitJobs}) and the method anew.
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

    Object invoke(MethodInvocation invocation) throws Throwable {
        MethodCall attempt = Invocations.again(invocation);
        return switch (kind) {
            case PLAIN -> retrier.call(() -> Invocations.proceed(attempt));
            case FUTURE -> retrier.executeAsync(() -> Invocations.proceedAsync(attempt, invocation.getMethod()));
            case MONO -> reactive.retry(retrier, attempt, false);
            case FLUX -> reactive.retry(retrier, attempt, true);
        };
    }
}
