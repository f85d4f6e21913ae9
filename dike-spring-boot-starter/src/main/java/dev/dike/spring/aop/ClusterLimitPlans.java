package dev.dike.spring.aop;

import dev.dike.redis.ClusterLimiter;
import dev.dike.redis.ClusterPermit;
import dev.dike.spring.ClusterLimitFactory;

import java.util.concurrent.CompletableFuture;

import org.aopalliance.intercept.MethodInvocation;

/**
 * How a {@code @LimitJobs} method with {@code scope: cluster} is called: under a permit of a
 * {@link ClusterLimiter}, with the same rules as a local limit (held until the result completes, each
 * subscription of a {@code Mono}/{@code Flux} on its own permit). The only class of the interceptors that
 * names dike-redis: it is loaded only when some instance has {@code scope: cluster}, which the startup check
 * allows only with dike-redis on the class path.
 */
final class ClusterLimitPlans {

    private ClusterLimitPlans() {
    }

    /** Runs the calls of one cluster-scoped method. */
    interface Runner {

        Object invoke(MethodInvocation invocation, ReturnKind kind, ReactiveAdapter reactive) throws Throwable;
    }

    static LimitPlan plan(Object factory, String name, LimitSpec spec, ReturnKind kind, ReactiveAdapter reactive) {
        ClusterLimiter limiter = ((ClusterLimitFactory) factory).limiter(name, spec.limit(), spec.maxWait());
        return new LimitPlan(null, kind, reactive, new ClusterRunner(limiter));
    }

    private static final class ClusterRunner implements Runner {

        private final ClusterLimiter limiter;

        ClusterRunner(ClusterLimiter limiter) {
            this.limiter = limiter;
        }

        @Override
        public Object invoke(MethodInvocation invocation, ReturnKind kind, ReactiveAdapter reactive) throws Throwable {
            return switch (kind) {
                case PLAIN -> limiter.call(() -> Invocations.proceed(invocation::proceed));
                case FUTURE -> limiter.executeAsync(() -> Invocations.proceedAsync(invocation::proceed, invocation.getMethod()));
                case MONO -> reactive.limitCluster(this::acquire, Invocations.again(invocation), false);
                case FLUX -> reactive.limitCluster(this::acquire, Invocations.again(invocation), true);
            };
        }

        /**
         * Asks for a permit. Cancelling the returned future (a {@code Mono} cancelled while the round trip is in
         * flight) withdraws the request itself, or releases the permit if it was granted meanwhile: cancelling a
         * dependent stage alone would leave a late grant held for ever.
         */
        private CompletableFuture<Runnable> acquire() {
            CompletableFuture<ClusterPermit> request = limiter.acquire();
            CompletableFuture<Runnable> permit = request.thenApply(ClusterLimitPlans::releaser);
            permit.whenComplete((releaser, failure) -> {
                if (permit.isCancelled() && !request.cancel(false) && !request.isCompletedExceptionally()) {
                    request.join().release();
                }
            });
            return permit;
        }
    }

    private static Runnable releaser(ClusterPermit permit) {
        return permit::release;
    }
}
