package dev.dike.spring.aop;

import dev.dike.limit.TooManyCallsException;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.aop.AspectsTestApplication.ClassLevelClient;
import dev.dike.spring.aop.AspectsTestApplication.NestedClient;
import dev.dike.spring.aop.AspectsTestApplication.RetryClient;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @Retry} through real beans, on every supported return type. */
@SpringBootTest(classes = AspectsTestApplication.class)
@ExtendWith(OutputCaptureExtension.class)
class RetryAspectTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Autowired
    private RetryClient client;

    @Autowired
    private DikeRegistry registry;

    @Test
    void seedExampleLogsEachRetryAndPropagatesTheOriginalException(CapturedOutput output) {
        client.reset(0);
        CompletableFuture<String> call = client.webRequest();

        assertThatThrownBy(call::join).isInstanceOf(CompletionException.class).cause()
                .isExactlyInstanceOf(RuntimeException.class).hasMessage("Request failed!");
        assertThat(client.calls()).isEqualTo(2);
        assertThat(output).containsOnlyOnce(
                "Caught exception java.lang.RuntimeException: Request failed!. Retrying in 0.01s ...");
        assertThat(registry.retriers()).containsKey("RetryClient.webRequest");
    }

    @Test
    void completableFutureIsCalledAgainUntilItSucceeds() {
        client.reset(2);
        assertThat(client.future().join()).isEqualTo("future 3");
        assertThat(client.calls()).isEqualTo(3);
    }

    @Test
    void aSynchronousThrowCountsAsAFailedAttempt() {
        client.reset(2);
        assertThat(client.futureThrowing().join()).isEqualTo("thrown 3");
    }

    @Test
    void completionStageIsCalledAgainUntilItSucceeds() {
        client.reset(1);
        assertThat(client.stage().toCompletableFuture().join()).isEqualTo("stage 2");
        assertThat(client.calls()).isEqualTo(2);
    }

    @Test
    void exhaustedAsyncRetryFailsWithTheLastAttemptsOriginalException() {
        client.reset(5);
        assertThatThrownBy(() -> client.future().join()).cause().isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("failure 3");
        assertThat(client.calls()).isEqualTo(3);
    }

    @Test
    void eagerlyBuiltMonoIsRebuiltForEveryAttempt() {
        client.reset(2);
        StepVerifier.create(client.mono()).expectNext("mono 3").expectComplete().verify(TIMEOUT);
        assertThat(client.calls()).isEqualTo(3);
    }

    @Test
    void exhaustedMonoSignalsTheOriginalError() {
        client.reset(5);
        StepVerifier.create(client.mono()).expectErrorSatisfies(error -> assertThat(error)
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("failure 3")).verify(TIMEOUT);
    }

    @Test
    void fluxIsCalledAgainUntilItSucceeds() {
        client.reset(1);
        StepVerifier.create(client.flux()).expectNext("flux", "2").expectComplete().verify(TIMEOUT);
        assertThat(client.calls()).isEqualTo(2);
    }

    @Test
    void plainMethodIsCalledAgainOnTheCallersThread() {
        client.reset(2);
        assertThat(client.plain()).isEqualTo("plain 3");
        assertThat(client.calls()).isEqualTo(3);
    }

    @Test
    void exhaustedPlainRetryThrowsTheOriginalException() {
        client.reset(5);
        assertThatThrownBy(client::plain).isExactlyInstanceOf(IllegalStateException.class).hasMessage("failure 3");
    }

    @Test
    void voidMethodIsCalledAgainUntilItSucceeds() {
        client.reset(2);
        client.run();
        assertThat(client.calls()).isEqualTo(3);
    }

    @Test
    void checkedExceptionReachesTheCallerUnwrapped() {
        client.reset(0);
        assertThatThrownBy(client::checked).isExactlyInstanceOf(IOException.class).hasMessage("checked 2");
    }

    @Test
    void packagePrivateMethodIsAdvised() {
        client.reset(2);
        assertThat(client.packagePrivate()).isEqualTo("package-private 3");
    }

    @Test
    void selfInvocationBypassesTheAspect() {
        client.reset(1);
        assertThatThrownBy(client::selfInvocation).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("failure 1");
        assertThat(client.calls()).isEqualTo(1);
    }

    @Test
    void classLevelAnnotationAppliesAndMethodLevelWins(@Autowired ClassLevelClient classLevel) {
        classLevel.reset();
        assertThat(classLevel.classLevel().join()).isEqualTo("ok 2");

        classLevel.reset();
        assertThatThrownBy(() -> classLevel.methodLevel().join()).hasRootCauseMessage("once");
        assertThat(classLevel.calls()).isEqualTo(1);
    }

    @Test
    void retryOutsideLimitTakesAPermitForEveryAttempt(@Autowired NestedClient nested) {
        nested.reset();
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> holder = nested.call(gate);
        long rejectedBefore = registry.findLimiter("nested-limit").orElseThrow().rejectedCount();

        assertThatThrownBy(() -> nested.call(CompletableFuture.completedFuture("x")).join())
                .cause().isInstanceOf(TooManyCallsException.class);
        assertThat(registry.findLimiter("nested-limit").orElseThrow().rejectedCount() - rejectedBefore).isEqualTo(3);
        assertThat(nested.calls()).isEqualTo(1);

        gate.complete("held");
        assertThat(holder.join()).isEqualTo("held");
    }
}
