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

        private CompletableFuture<Runnable> acquire() {
            return limiter.acquire().thenApply(ClusterLimitPlans::releaser);
        }
    }

    private static Runnable releaser(ClusterPermit permit) {
        return permit::release;
    }
}
