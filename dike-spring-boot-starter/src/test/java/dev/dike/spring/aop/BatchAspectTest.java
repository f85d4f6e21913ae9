package dev.dike.spring.aop;

import dev.dike.spring.aop.AspectsTestApplication.BatchClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code @Batch} through real beans, on every supported return type. */
@SpringBootTest(classes = AspectsTestApplication.class)
class BatchAspectTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Autowired
    private BatchClient client;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void reset() {
        client.reset();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void seedExampleMergesThreeCallsIntoOneMethodCall() {
        CompletableFuture<List<Integer>> first = client.addArgs(List.of(0), List.of(1));
        CompletableFuture<List<Integer>> second = client.addArgs(List.of(1), List.of(1));
        CompletableFuture<List<Integer>> third = client.addArgs(List.of(2, 3), List.of(1, 1));

        assertThat(List.of(join(first), join(second), join(third)))
                .containsExactly(List.of(1), List.of(2), List.of(3, 4));
        assertThat(client.invocations()).containsExactly(List.of(List.of(0, 1, 2, 3), List.of(1, 1, 1, 1)));
    }

    @Test
    void synchronousCallersBlockUntilTheirSliceIsReady() throws Exception {
        Future<List<Integer>> first = threads.submit(() -> client.doubled(List.of(1, 2)));
        Future<List<Integer>> second = threads.submit(() -> client.doubled(List.of(3)));

        assertThat(first.get(5, TimeUnit.SECONDS)).containsExactly(2, 4);
        assertThat(second.get(5, TimeUnit.SECONDS)).containsExactly(6);
        assertThat(client.invocations()).hasSize(1);
        assertThat(client.invocations().get(0).get(0)).asList().containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void synchronousCallerGetsTheOriginalException() throws Exception {
        Future<List<Integer>> first = threads.submit(() -> client.failing(List.of(1)));
        Future<List<Integer>> second = threads.submit(() -> client.failing(List.of(2)));

        for (Future<List<Integer>> call : List.of(first, second)) {
            assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bad rows");
        }
        assertThat(client.invocations()).hasSize(1);
    }

    @Test
    void arraysAreMergedAndSlicedAndOtherArgumentsKeepBatchesApart() throws Exception {
        Future<String[]> a1 = threads.submit(() -> client.labels(new int[] {1}, "a"));
        Future<String[]> b1 = threads.submit(() -> client.labels(new int[] {2}, "b"));
        Future<String[]> a2 = threads.submit(() -> client.labels(new int[] {3}, "a"));
        Future<String[]> b2 = threads.submit(() -> client.labels(new int[] {4, 5}, "b"));

        assertThat(a1.get(5, TimeUnit.SECONDS)).containsExactly("a1");
        assertThat(a2.get(5, TimeUnit.SECONDS)).containsExactly("a3");
        assertThat(b1.get(5, TimeUnit.SECONDS)).containsExactly("b2");
        assertThat(b2.get(5, TimeUnit.SECONDS)).containsExactly("b4", "b5");
        // One call per prefix: calls with different non-batched arguments never share a batch.
        assertThat(client.invocations()).hasSize(2).allSatisfy(call -> {
            int[] values = ((int[]) call.get(0)).clone();
            java.util.Arrays.sort(values);
            assertThat(values).containsExactly(call.get(1).equals("a") ? new int[] {1, 3} : new int[] {2, 4, 5});
        });
    }

    @Test
    void completionStageOfPrimitiveArrayIsSliced() {
        CompletionStage<long[]> first = client.squares(new long[] {2, 3});
        CompletionStage<long[]> second = client.squares(new long[] {4});

        assertThat(first.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join()).containsExactly(4, 9);
        assertThat(second.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join()).containsExactly(16);
        assertThat(client.invocations()).hasSize(1);
    }

    @Test
    void monoSubmitsAtSubscriptionAndReceivesItsSlice() {
        Mono<List<String>> first = client.upper(List.of("a", "b"));
        Mono<List<String>> second = client.upper(List.of("c"));
        assertThat(client.invocations()).isEmpty();

        StepVerifier.create(Mono.zip(first, second)).assertNext(both -> {
            assertThat(both.getT1()).containsExactly("A", "B");
            assertThat(both.getT2()).containsExactly("C");
        }).expectComplete().verify(TIMEOUT);
        assertThat(client.invocations()).hasSize(1);
    }

    @Test
    void aLoneCallIsFlushedAfterTheMaximumWaitingTime() {
        CompletableFuture<List<Integer>> alone = client.timed(List.of(7));

        await().atMost(TIMEOUT).until(alone::isDone);
        assertThat(alone.join()).containsExactly(7);
    }

    @Test
    void methodsSharingANameShareTheQueueButNeverABatch() {
        CompletableFuture<List<String>> a1 = client.sharedA(List.of("1"));
        CompletableFuture<List<String>> b1 = client.sharedB(List.of("2"));
        CompletableFuture<List<String>> a2 = client.sharedA(List.of("3"));

        assertThat(join(a1)).containsExactly("A1");
        assertThat(join(a2)).containsExactly("A3");
        assertThat(join(b1)).containsExactly("B2");
        assertThat(client.invocations()).containsExactlyInAnyOrder(List.of("A", List.of("1", "3")),
                List.of("B", List.of("2")));
    }

    @Test
    void cancellingACallBeforeItsBatchStartsRemovesIt() {
        CompletableFuture<List<Integer>> cancelled = client.addArgs(List.of(5), List.of(5));
        cancelled.cancel(false);
        CompletableFuture<List<Integer>> first = client.addArgs(List.of(1), List.of(1));
        CompletableFuture<List<Integer>> second = client.addArgs(List.of(2, 2), List.of(2, 2));

        assertThat(join(first)).containsExactly(2);
        assertThat(join(second)).containsExactly(4, 4);
        assertThat(client.invocations()).containsExactly(List.of(List.of(1, 2, 2), List.of(1, 2, 2)));
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(5, TimeUnit.SECONDS).join();
    }
}
