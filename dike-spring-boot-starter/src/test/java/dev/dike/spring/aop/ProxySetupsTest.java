package dev.dike.spring.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.batch.BatchListener;
import dev.dike.batch.FlushReason;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.DikeInstanceObserver;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.env.Environment;

/**
 * dike's advice applies, exactly once per call, whatever Spring Boot's AOP switches say: with
 * {@code spring.aop.proxy-target-class} true or false, {@code spring.aop.auto} true or false, AspectJ
 * on the class path or not (the starter's test class path has it; a {@link FilteredClassLoader} hides
 * it), for a bean implementing an interface and for a bean of a plain class. Before dike had its own
 * post-processor, three of the eight setups registered no auto-proxy creator and every annotation
 * in them silently did nothing. In each setup:
 * <ul>
 * <li>{@code @Retry(attempts = 3)} over a method that always fails calls it 3 times (1 unadvised,
 * 9 advised twice);</li>
 * <li>{@code @LimitJobs(limit = 1)} lets one call hold the permit and rejects the next (advised
 * twice, the first call is rejected by its own inner advice; unadvised, nothing is rejected);</li>
 * <li>{@code @Batch(targetBatchSize = 2)} merges two calls into one batch and one method call
 * (advised twice, the merged call forms a second batch; unadvised, no batch and two method calls).</li>
 * </ul>
 */
class ProxySetupsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class))
            .withBean(Recorder.class);

    /** One combination of Spring Boot's AOP switches and class path. */
    record Setup(boolean proxyTargetClass, boolean aopAuto, boolean aspectJ) {

        ApplicationContextRunner apply(ApplicationContextRunner runner) {
            ApplicationContextRunner configured = runner.withPropertyValues(
                    "spring.aop.proxy-target-class=" + proxyTargetClass, "spring.aop.auto=" + aopAuto);
            return aspectJ ? configured : configured.withClassLoader(new FilteredClassLoader("org.aspectj"));
        }

        /** Spring Boot's own rules, which these setups cover on both sides. */
        boolean bootRegistersAnAutoProxyCreator() {
            return aopAuto && (aspectJ || proxyTargetClass);
        }

        @Override
        public String toString() {
            return "proxy-target-class=" + proxyTargetClass + ", auto=" + aopAuto + ", AspectJ "
                    + (aspectJ ? "present" : "absent");
        }
    }

    /** The two kinds of bean: the annotated class implements an interface, or does not. */
    enum Shape {
        INTERFACE, CLASS
    }

    static Stream<Arguments> setups() {
        List<Arguments> setups = new ArrayList<>();
        for (boolean proxyTargetClass : new boolean[] {true, false}) {
            for (boolean aopAuto : new boolean[] {true, false}) {
                for (boolean aspectJ : new boolean[] {true, false}) {
                    for (Shape shape : Shape.values()) {
                        setups.add(Arguments.of(new Setup(proxyTargetClass, aopAuto, aspectJ), shape));
                    }
                }
            }
        }
        return setups.stream();
    }

    @ParameterizedTest(name = "{0}, {1} bean")
    @MethodSource("setups")
    void everyAnnotationRunsExactlyOncePerCall(Setup setup, Shape shape) {
        Class<?> beanClass = shape == Shape.INTERFACE ? ClientImpl.class : PlainClient.class;
        setup.apply(runner).withBean("client", beanClass).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.containsBean(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME))
                    .as("Spring Boot registers an auto-proxy creator").isEqualTo(setup.bootRegistersAnAutoProxyCreator());
            Object bean = context.getBean("client");
            boolean jdkProxy = shape == Shape.INTERFACE && !setup.proxyTargetClass();
            assertThat(jdkProxy ? AopUtils.isJdkDynamicProxy(bean) : AopUtils.isCglibProxy(bean))
                    .as("%s is a %s proxy", bean.getClass(), jdkProxy ? "JDK" : "CGLIB").isTrue();

            assertAdvisedOnce(context, shape == Shape.INTERFACE ? Calls.of(context.getBean(Client.class))
                    : Calls.of(context.getBean(PlainClient.class)));
        });
    }

    /** The same proxy exposed under a second bean name is not advised a second time. */
    @Test
    void aBeanObjectExposedUnderASecondNameIsNotAdvisedAgain() {
        runner.withUserConfiguration(SecondName.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertAdvisedOnce(context, Calls.of((Client) context.getBean("second")));
            assertThat(context.getBean("second")).isSameAs(context.getBean("first"));
        });
    }

    /**
     * An existing proxy (here from Spring Boot's auto-proxy creator) gets dike's advisors in the
     * place their order gives among its own: an advisor of {@code LOWEST_PRECEDENCE}, like
     * {@code @Transactional}'s, runs inside the retry, once per attempt; one of
     * {@code HIGHEST_PRECEDENCE} runs outside, once per call.
     */
    @Test
    void advisorsJoinAnExistingProxyInTheirOrder() {
        ApplicationContextRunner withClient = runner.withBean("client", PlainClient.class)
                .withUserConfiguration(RecordingAdvisor.class);
        withClient.withPropertyValues("test.recording-order=" + Ordered.LOWEST_PRECEDENCE).run(context -> {
            assertThat(context).hasNotFailed();
            assertThatIllegalStateException().isThrownBy(context.getBean(PlainClient.class)::fails);
            assertThat(context.getBean(Recorder.class).entered.get()).as("entries of the innermost advisor").isEqualTo(3);
        });
        withClient.withPropertyValues("test.recording-order=" + Ordered.HIGHEST_PRECEDENCE).run(context -> {
            assertThat(context).hasNotFailed();
            assertThatIllegalStateException().isThrownBy(context.getBean(PlainClient.class)::fails);
            assertThat(context.getBean(Recorder.class).entered.get()).as("entries of the outermost advisor").isEqualTo(1);
        });
    }

    /**
     * A bean in a circular reference (when the application allows them) is handed out
     * before it is initialized; that early reference must be advised too, both when an auto-proxy
     * creator proxies it early for an advisor of its own and when nothing else proxies it. Otherwise
     * the other bean holds the raw object and the container refuses to start.
     */
    @Test
    void theEarlyReferenceOfABeanInACircularReferenceIsAdvised() {
        ApplicationContextRunner circular = runner.withAllowCircularReferences(true)
                .withBean("circularA", CircularA.class)
                .withBean("circularB", CircularB.class);
        circular.withUserConfiguration(RecordingAdvisor.class)
                .withPropertyValues("test.recording-order=" + Ordered.LOWEST_PRECEDENCE).run(context -> {
                    assertBothHoldTheAdvisedOther(context);
                    assertThat(context.getBean(Recorder.class).entered.get()).isEqualTo(6);
                });
        circular.withPropertyValues("spring.aop.auto=false").run(ProxySetupsTest::assertBothHoldTheAdvisedOther);
    }

    private static void assertBothHoldTheAdvisedOther(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        CircularA a = context.getBean(CircularA.class);
        CircularB b = context.getBean(CircularB.class);
        assertThat(a.other()).isSameAs(b);
        assertThat(b.other()).isSameAs(a);
        assertThatIllegalStateException().isThrownBy(a.other()::fails);
        assertThatIllegalStateException().isThrownBy(b.other()::fails);
        assertThat(context.getBean(Recorder.class).attempts.get()).isEqualTo(6);
    }

    /**
     * A bean that a {@code PriorityOrdered} post-processor depends on is created before any other
     * post-processor, dike's included: its annotations could never run, so startup fails naming it.
     */
    @Test
    void startupFailsForABeanCreatedBeforeItCouldBeAdvised() {
        runner.withUserConfiguration(EarlyDependent.class).run(context -> {
            assertThat(context).hasFailed();
            DikeConfigurationException failure = dikeFailure(context);
            assertThat(failure.description())
                    .contains("bean 'client' method PlainClient.", "method PlainClient.fails() (@Retry)",
                            "method PlainClient.hold(CompletableFuture) (@LimitJobs)",
                            "method PlainClient.upper(List) (@Batch)",
                            ": the bean was not advised; it was created before dike's post-processor existed",
                            "not eligible for getting processed by all BeanPostProcessors");
            assertThat(failure.action()).contains("Do not inject the bean into a BeanPostProcessor")
                    .contains("ObjectProvider or @Lazy");
        });
    }

    /** A JDK proxy has only its interfaces' methods: an annotated method outside them is unreachable. */
    @Test
    void startupFailsForAnAnnotatedMethodThatAJdkProxyDoesNotExpose() {
        runner.withBean("wider", WiderClient.class).withPropertyValues("spring.aop.proxy-target-class=false")
                .run(context -> {
                    assertThat(context).hasFailed();
                    DikeConfigurationException failure = dikeFailure(context);
                    assertThat(failure.description())
                            .contains("bean 'wider' method WiderClient.extra() (@Retry): the bean is a JDK dynamic "
                                    + "proxy, and none of its interfaces [" + Client.class.getName()
                                    + "] declares the method")
                            .doesNotContain("WiderClient.fails()");
                    assertThat(failure.action()).contains("spring.aop.proxy-target-class=true");
                });
    }

    /**
     * A class-level annotation covers every public method, also those a JDK proxy does not expose
     * (here {@code helper()}); those are not meant to be called through the bean, so startup goes on.
     */
    @Test
    void aClassLevelAnnotationDoesNotRequireEveryPublicMethodInTheInterface() {
        runner.withBean("task", ClassLevelTask.class).withPropertyValues("spring.aop.proxy-target-class=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Runnable task = context.getBean("task", Runnable.class);
                    assertThat(AopUtils.isJdkDynamicProxy(task)).isTrue();
                    assertThatIllegalStateException().isThrownBy(task::run);
                    assertThat(context.getBean(Recorder.class).attempts.get()).isEqualTo(2);
                });
    }

    /** The same bean starts, and its extra method is advised, when the class is proxied. */
    @Test
    void theSameBeanIsAdvisedWhenItsClassIsProxied() {
        runner.withBean("wider", WiderClient.class).run(context -> {
            assertThat(context).hasNotFailed();
            WiderClient wider = context.getBean(WiderClient.class);
            assertThatIllegalStateException().isThrownBy(wider::extra);
            assertThat(context.getBean(Recorder.class).attempts.get()).isEqualTo(2);
        });
    }

    private static void assertAdvisedOnce(AssertableApplicationContext context, Calls calls) throws Exception {
        Recorder recorder = context.getBean(Recorder.class);
        DikeRegistry registry = context.getBean(DikeRegistry.class);

        assertThatIllegalStateException().isThrownBy(() -> calls.fails().get()).withMessage("always fails");
        assertThat(recorder.attempts.get()).as("@Retry(attempts = 3): method calls").isEqualTo(3);

        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> holder = calls.hold().apply(gate);
        CompletableFuture<String> turnedAway = calls.hold().apply(CompletableFuture.completedFuture("x"));
        assertThat(holder).as("the call holding the only permit").isNotDone();
        assertThat(turnedAway).failsWithin(TIMEOUT).withThrowableOfType(Exception.class)
                .withCauseInstanceOf(TooManyCallsException.class);
        JobLimiter limiter = registry.findLimiter("held").orElseThrow();
        assertThat(limiter.permittedCount()).isEqualTo(1);
        assertThat(limiter.rejectedCount()).isEqualTo(1);
        gate.complete("done");
        assertThat(holder).succeedsWithin(TIMEOUT).isEqualTo("done");

        CompletableFuture<List<String>> first = calls.upper().apply(List.of("a"));
        CompletableFuture<List<String>> second = calls.upper().apply(List.of("b"));
        assertThat(first).succeedsWithin(TIMEOUT).isEqualTo(List.of("A"));
        assertThat(second).succeedsWithin(TIMEOUT).isEqualTo(List.of("B"));
        assertThat(recorder.batchedCalls).as("callers per batch").containsExactly(2);
        assertThat(recorder.operations).as("method calls").containsExactly(List.of("a", "b"));
    }

    private static DikeConfigurationException dikeFailure(AssertableApplicationContext context) {
        for (Throwable current = context.getStartupFailure(); current != null; current = current.getCause()) {
            if (current instanceof DikeConfigurationException dike) {
                return dike;
            }
        }
        throw new AssertionError("No DikeConfigurationException in", context.getStartupFailure());
    }

    /** The three annotated methods, whichever bean has them. */
    record Calls(Supplier<Integer> fails, Function<CompletableFuture<String>, CompletableFuture<String>> hold,
            Function<List<String>, CompletableFuture<List<String>>> upper) {

        static Calls of(Client client) {
            return new Calls(client::fails, client::hold, client::upper);
        }

        static Calls of(PlainClient client) {
            return new Calls(client::fails, client::hold, client::upper);
        }
    }

    /** What the beans and the batchers saw. */
    public static class Recorder implements DikeInstanceObserver {

        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();
        final List<Integer> batchedCalls = new CopyOnWriteArrayList<>();
        final List<List<String>> operations = new CopyOnWriteArrayList<>();

        @Override
        public BatchListener batchListener(String name) {
            return new BatchListener() {
                @Override
                public void onBatchStarted(String batcher, FlushReason reason, int rows, int calls, long waitNanos) {
                    batchedCalls.add(calls);
                }
            };
        }

        int failedAttempt() {
            attempts.incrementAndGet();
            throw new IllegalStateException("always fails");
        }

        List<String> upper(List<String> keys) {
            operations.add(List.copyOf(keys));
            return keys.stream().map(String::toUpperCase).toList();
        }
    }

    /** The annotated methods, declared by an interface. */
    public interface Client {

        /** @throws IllegalStateException always */
        int fails();

        CompletableFuture<String> hold(CompletableFuture<String> gate);

        CompletableFuture<List<String>> upper(List<String> keys);
    }

    /** Annotated implementation of an interface. */
    public static class ClientImpl implements Client {

        private final Recorder recorder;

        public ClientImpl(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        @Retry(name = "fails", attempts = 3, delay = "0ms", logExceptionInfo = false)
        public int fails() {
            return recorder.failedAttempt();
        }

        @Override
        @LimitJobs(name = "held", limit = 1)
        public CompletableFuture<String> hold(CompletableFuture<String> gate) {
            return gate;
        }

        @Override
        @Batch(name = "upper", targetBatchSize = 2, maxWaitingTime = "1m")
        public CompletableFuture<List<String>> upper(List<String> keys) {
            return CompletableFuture.completedFuture(recorder.upper(keys));
        }
    }

    /** The same annotated methods in a class without interfaces. */
    public static class PlainClient {

        private final Recorder recorder;

        public PlainClient(Recorder recorder) {
            this.recorder = recorder;
        }

        @Retry(name = "fails", attempts = 3, delay = "0ms", logExceptionInfo = false)
        public int fails() {
            return recorder.failedAttempt();
        }

        @LimitJobs(name = "held", limit = 1)
        public CompletableFuture<String> hold(CompletableFuture<String> gate) {
            return gate;
        }

        @Batch(name = "upper", targetBatchSize = 2, maxWaitingTime = "1m")
        public CompletableFuture<List<String>> upper(List<String> keys) {
            return CompletableFuture.completedFuture(recorder.upper(keys));
        }
    }

    /** An interface bean with one more annotated method, which its interface does not declare. */
    public static class WiderClient extends ClientImpl {

        private final Recorder recorder;

        public WiderClient(Recorder recorder) {
            super(recorder);
            this.recorder = recorder;
        }

        @Retry(name = "extra", attempts = 2, delay = "0ms", logExceptionInfo = false)
        public int extra() {
            return recorder.failedAttempt();
        }
    }

    /** Every public method retried, one of them outside its interface. */
    @Retry(name = "task", attempts = 2, delay = "0ms", logExceptionInfo = false)
    public static class ClassLevelTask implements Runnable {

        private final Recorder recorder;

        public ClassLevelTask(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void run() {
            recorder.failedAttempt();
        }

        public int helper() {
            return 1;
        }
    }

    /** A bean that needs another one, which needs it back: whichever is created first is referenced early. */
    abstract static class Circular<O> {

        private final Recorder recorder;
        @Autowired
        O other;

        Circular(Recorder recorder) {
            this.recorder = recorder;
        }

        public O other() {
            return other;
        }

        @Retry(attempts = 3, delay = "0ms", logExceptionInfo = false)
        public int fails() {
            return recorder.failedAttempt();
        }
    }

    public static class CircularA extends Circular<CircularB> {

        public CircularA(Recorder recorder) {
            super(recorder);
        }
    }

    public static class CircularB extends Circular<CircularA> {

        public CircularB(Recorder recorder) {
            super(recorder);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondName {

        @Bean
        ClientImpl first(Recorder recorder) {
            return new ClientImpl(recorder);
        }

        @Bean
        Client second(Client first) {
            return first;
        }
    }

    /** Records each entry into methods named {@code fails}, at the order {@code test.recording-order}. */
    @Configuration(proxyBeanMethods = false)
    static class RecordingAdvisor {

        @Bean
        @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
        static Advisor recording(Recorder recorder, Environment environment) {
            NameMatchMethodPointcut pointcut = new NameMatchMethodPointcut();
            pointcut.addMethodName("fails");
            DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(pointcut, (MethodInterceptor) invocation -> {
                recorder.entered.incrementAndGet();
                return invocation.proceed();
            });
            advisor.setOrder(environment.getRequiredProperty("test.recording-order", Integer.class));
            return advisor;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EarlyDependent {

        @Bean
        static PlainClient client(Recorder recorder) {
            return new PlainClient(recorder);
        }

        /** Declares its own type, so that the context sees it is {@code PriorityOrdered} before creating it. */
        @Bean
        static EarlyPostProcessor earlyDependent(PlainClient client) {
            return new EarlyPostProcessor();
        }
    }

    /** Created, with what it depends on, before every post-processor that is not {@code PriorityOrdered}. */
    static class EarlyPostProcessor implements BeanPostProcessor, PriorityOrdered {

        @Override
        public int getOrder() {
            return 0;
        }
    }
}
