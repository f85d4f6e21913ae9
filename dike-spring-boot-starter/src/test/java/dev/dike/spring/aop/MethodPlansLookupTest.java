package dev.dike.spring.aop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dike.annotation.LimitJobs;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * How the interceptors find a call's plans: by the bean class behind the call, whatever object the
 * proxy hands them, and for every advised method of a class however many there are.
 */
class MethodPlansLookupTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class));

    /**
     * A proxy whose target is itself a proxy (as when a scoped or hand-made proxy is advised again):
     * the plans are those of the bean class behind both, not of the inner proxy's generated class,
     * which carries no annotations and another name.
     */
    @Test
    void aTargetThatIsItselfAProxyGetsThePlansOfTheBeanClassBehindIt() {
        runner.run(context -> {
            ProxyFactory innerFactory = new ProxyFactory(new Held());
            innerFactory.setProxyTargetClass(true);
            Object inner = innerFactory.getProxy();
            ProxyFactory outerFactory = new ProxyFactory(inner);
            outerFactory.setProxyTargetClass(true);
            outerFactory.addAdvisor(context.getBean(DikeAdvisingPostProcessor.class).advisors().stream()
                    .filter(advisor -> advisor.annotation() == LimitJobs.class).findFirst().orElseThrow());
            Held held = (Held) outerFactory.getProxy();

            CompletableFuture<String> first = held.call();
            CompletableFuture<String> second = held.call();

            assertThat(second).isCompletedExceptionally();
            assertThat(second.handle((value, error) -> error)).isCompletedWithValueMatching(
                    error -> error instanceof TooManyCallsException);
            assertThat(context.getBean(DikeRegistry.class).findLimiter("Held.call")).isPresent();
            assertThat(context.getBean(DikeRegistry.class).limiters()).hasSize(1);
            held.release();
            assertThat(first).isCompletedWithValue("done");
        });
    }

    /** More advised methods than the identity list remembers: each still gets its own limiter. */
    @Test
    void everyAdvisedMethodOfAClassWithManyGetsItsOwnPlans() {
        runner.withBean(Many.class).run(context -> {
            Many many = context.getBean(Many.class);
            List<Method> methods = new ArrayList<>();
            for (Method method : Many.class.getDeclaredMethods()) {
                if (method.isAnnotationPresent(LimitJobs.class)) {
                    methods.add(method);
                }
            }
            assertThat(methods).hasSizeGreaterThan(20);
            for (int round = 0; round < 3; round++) {
                for (Method method : methods) {
                    CompletableFuture<?> result = (CompletableFuture<?>) method.invoke(many);
                    // Limit 1 and never completed: the first call holds the permit, the next ones are turned away.
                    assertThat(result.isCompletedExceptionally()).as("%s, round %d", method.getName(), round)
                            .isEqualTo(round > 0);
                }
            }
            DikeRegistry registry = context.getBean(DikeRegistry.class);
            for (Method method : methods) {
                assertThat(registry.findLimiter("Many." + method.getName())).isPresent()
                        .get().satisfies(limiter -> assertThat(limiter.inFlight()).isEqualTo(1));
            }
        });
    }

    /** Holds its callers until released. */
    public static class Held {

        private final CompletableFuture<String> gate = new CompletableFuture<>();

        @LimitJobs(limit = 1)
        public CompletableFuture<String> call() {
            return gate;
        }

        public void release() {
            gate.complete("done");
        }
    }

    /** 21 limited methods, each of whose calls never completes. */
    public static class Many {
        // @formatter:off
        @LimitJobs(limit = 1) public CompletableFuture<String> m00() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m01() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m02() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m03() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m04() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m05() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m06() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m07() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m08() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m09() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m10() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m11() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m12() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m13() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m14() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m15() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m16() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m17() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m18() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m19() { return new CompletableFuture<>(); }
        @LimitJobs(limit = 1) public CompletableFuture<String> m20() { return new CompletableFuture<>(); }
        // @formatter:on
    }
}
