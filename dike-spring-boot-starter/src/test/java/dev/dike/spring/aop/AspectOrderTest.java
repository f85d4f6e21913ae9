package dev.dike.spring.aop;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.aop.AspectsTestApplication.NestedClient;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code dike.aspect-order.*} changes how the aspects nest. */
class AspectOrderTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class))
            .withBean(NestedClient.class);

    @Test
    void byDefaultRetryIsOutsideLimitSoEveryAttemptAsksForAPermit() {
        runner.run(context -> assertThat(rejectionsOfOneCallWhileAnotherHoldsThePermit(context.getBean(NestedClient.class),
                context.getBean(DikeRegistry.class))).isEqualTo(3));
    }

    @Test
    void limitOutsideRetryAsksForOnePermitPerCall() {
        runner.withPropertyValues("dike.aspect-order.limit=10", "dike.aspect-order.retry=20").run(context ->
                assertThat(rejectionsOfOneCallWhileAnotherHoldsThePermit(context.getBean(NestedClient.class),
                        context.getBean(DikeRegistry.class))).isEqualTo(1));
    }

    private static long rejectionsOfOneCallWhileAnotherHoldsThePermit(NestedClient client, DikeRegistry registry) {
        JobLimiter limiter = registry.findLimiter("nested-limit").orElseThrow();
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> holder = client.call(gate);

        assertThatThrownBy(() -> client.call(CompletableFuture.completedFuture("x")).join())
                .cause().isInstanceOf(TooManyCallsException.class);
        gate.complete("done");
        assertThat(holder.join()).isEqualTo("done");
        return limiter.rejectedCount();
    }
}
