package dev.dike.benchmarks;

import dev.dike.benchmarks.fixture.ComparisonApplication;
import dev.dike.benchmarks.fixture.LimitTargets;
import dev.dike.benchmarks.fixture.RetryTargets;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.ConfigurableApplicationContext;

/** The running {@link ComparisonApplication} and its beans, shared by every thread of a trial. */
@State(Scope.Benchmark)
public class ComparisonContext {

    ConfigurableApplicationContext context;
    LimitTargets.Plain limitPlain;
    LimitTargets.Plain limitNoOp;
    LimitTargets.Plain limitNoOpInterceptor;
    LimitTargets.Plain limitDike;
    LimitTargets.Plain limitDikeAdaptive;
    LimitTargets.Plain limitResilience4j;
    LimitTargets.Plain limitSpring;
    RetryTargets.Plain retryPlain;
    RetryTargets.Plain retryDike;
    RetryTargets.Plain retryDikeBudget;
    RetryTargets.Plain retryResilience4j;
    RetryTargets.Plain retrySpring;

    /** Starts the application and looks the beans up. */
    @Setup(Level.Trial)
    public void start() {
        context = ComparisonApplication.start();
        limitPlain = context.getBean("limitPlain", LimitTargets.Plain.class);
        limitNoOp = context.getBean("limitNoOp", LimitTargets.Plain.class);
        limitNoOpInterceptor = context.getBean("limitNoOpInterceptor", LimitTargets.Plain.class);
        limitDike = context.getBean("limitDike", LimitTargets.Plain.class);
        limitDikeAdaptive = context.getBean("limitDikeAdaptive", LimitTargets.Plain.class);
        limitResilience4j = context.getBean("limitResilience4j", LimitTargets.Plain.class);
        limitSpring = context.getBean("limitSpring", LimitTargets.Plain.class);
        retryPlain = context.getBean("retryPlain", RetryTargets.Plain.class);
        retryDike = context.getBean("retryDike", RetryTargets.Plain.class);
        retryDikeBudget = context.getBean("retryDikeBudget", RetryTargets.Plain.class);
        retryResilience4j = context.getBean("retryResilience4j", RetryTargets.Plain.class);
        retrySpring = context.getBean("retrySpring", RetryTargets.Plain.class);
    }

    /** Closes the application. */
    @TearDown(Level.Trial)
    public void stop() {
        context.close();
    }
}
