package dev.dike.benchmarks;

import dev.dike.benchmarks.fixture.BenchmarkFailure;
import dev.dike.benchmarks.fixture.ComparisonApplication;
import dev.dike.benchmarks.fixture.FailurePlan;
import dev.dike.benchmarks.fixture.LimitTargets;
import dev.dike.benchmarks.fixture.RetryTargets;
import dev.dike.spring.DikeRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmarks time what they claim to: each bean is really behind its library's advice. */
class ComparisonApplicationTest {

    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        context = ComparisonApplication.start();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void floorIsNotProxied() {
        assertThat(AopUtils.isAopProxy(context.getBean("limitPlain"))).isFalse();
        assertThat(AopUtils.isAopProxy(context.getBean("retryPlain"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"limitNoOp", "limitNoOpInterceptor", "limitDike", "limitDikeAdaptive", "limitResilience4j",
            "limitSpring"})
    void limitTargetIsProxiedAndAnswers(String name) {
        LimitTargets.Plain bean = context.getBean(name, LimitTargets.Plain.class);
        assertThat(AopUtils.isAopProxy(bean)).isTrue();
        assertThat(bean.call(1)).isEqualTo(2);
        assertThat(bean.callAsync(1).join()).isEqualTo(2);
    }

    @Test
    void theAdaptiveTargetIsBehindAnAdaptiveLimit() {
        LimitTargets.Plain bean = context.getBean("limitDikeAdaptive", LimitTargets.Plain.class);
        bean.call(1);
        bean.callAsync(1).join();
        DikeRegistry registry = context.getBean(DikeRegistry.class);
        assertThat(registry.findAdaptiveLimit("benchAdaptive")).isPresent();
        assertThat(registry.findAdaptiveLimit("benchAdaptiveAsync")).isPresent();
        assertThat(registry.limiters().keySet().stream().filter(name -> registry.findAdaptiveLimit(name).isPresent()))
                .containsExactly("benchAdaptive", "benchAdaptiveAsync");
    }

    @ParameterizedTest
    @ValueSource(strings = {"retryDike", "retryResilience4j", "retrySpring"})
    void retryTargetRetriesASynchronousFailureOnce(String name) {
        RetryTargets.Plain bean = context.getBean(name, RetryTargets.Plain.class);
        FailurePlan plan = new FailurePlan();
        plan.failNext(1);
        assertThat(bean.call(plan)).isEqualTo(1);
        plan.failNext(2);
        assertThatThrownBy(() -> bean.call(plan)).isSameAs(BenchmarkFailure.INSTANCE);
        assertThat(plan.attemptFails()).as("made exactly two attempts").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"retryDike", "retryResilience4j"})
    void retryTargetRetriesAFailedFutureOnce(String name) {
        RetryTargets.Plain bean = context.getBean(name, RetryTargets.Plain.class);
        FailurePlan plan = new FailurePlan();
        plan.failNext(1);
        assertThat(bean.callAsync(plan).join()).isEqualTo(1);
        plan.failNext(2);
        assertThatThrownBy(() -> bean.callAsync(plan).join())
                .isInstanceOf(CompletionException.class).hasCause(BenchmarkFailure.INSTANCE);
        assertThat(plan.attemptFails()).as("made exactly two attempts").isFalse();
    }

    @Test
    void springRetryableDoesNotRetryAFailedFuture() {
        RetryTargets.Plain bean = context.getBean("retrySpring", RetryTargets.Plain.class);
        FailurePlan plan = new FailurePlan();
        plan.failNext(1);
        assertThatThrownBy(() -> bean.callAsync(plan).join()).hasCause(BenchmarkFailure.INSTANCE);
    }
}
