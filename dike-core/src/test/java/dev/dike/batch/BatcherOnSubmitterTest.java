package dev.dike.batch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BatchOperation#mayRunOnSubmitter}: an idle zero-wait batcher runs a batch of one call on the
 * submitting thread and completes it where the operation's stage completes, with no executor task at
 * all (each task is a thread hand-off, which is what made an idle zero-wait batch slower than an
 * unbatched call). The executor here only collects tasks, so any hand-off shows as a task that the
 * test has to run itself.
 */
class BatcherOnSubmitterTest {

    private final BatchFixture fixture = new BatchFixture();
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor collecting = tasks::add;
    private final AtomicReference<Thread> executedOn = new AtomicReference<>();

    /** The fixture's operation, recording the thread; it may run on its submitter when {@code allowed}. */
    private BatchOperation<Integer, Integer> operation(boolean allowed) {
        return new BatchOperation<>() {
            @Override
            public CompletionStage<? extends List<? extends Integer>> execute(Object key, List<List<Integer>> columns)
                    throws Exception {
                executedOn.set(Thread.currentThread());
                return fixture.record(key, columns);
            }

            @Override
            public boolean mayRunOnSubmitter(Object key) {
                return allowed;
            }
        };
    }

    private Batcher<Integer, Integer> start(int slots, boolean allowed) {
        return fixture.start(BatchFixture.configBuilder(100).maxWaitingTime(Duration.ZERO).maxConcurrentBatches(slots)
                .build(), collecting, operation(allowed));
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    @Test
    void anIdleBatchOfOneCallRunsOnItsSubmitterAndCompletesWhereTheOperationCompletes() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = start(1, true);

        CompletableFuture<List<Integer>> call = batcher.submit(List.of(7));

        assertThat(executedOn.get()).as("operation called by submit, on this thread").isSameAs(Thread.currentThread());
        assertThat(tasks).as("no hand-off to the executor").isEmpty();
        assertThat(batcher.runners()).isZero();
        fixture.execution(0).answer(); // the backend's thread, in a real application
        assertThat(call).as("completed by the stage's completion, without an executor task").isCompletedWithValue(List.of(7));
        assertThat(tasks).isEmpty();
        assertThat(fixture.listener.batchEvents).containsExactly("started test TIME rows=1 calls=1",
                "completed test rows=1");
        fixture.assertIdle();
    }

    @Test
    void aResultCompleteAtOnceCompletesTheCallBeforeSubmitReturns() {
        Batcher<Integer, Integer> batcher = start(1, true);

        assertThat(batcher.submit(List.of(7))).isCompletedWithValue(List.of(7));
        assertThat(tasks).isEmpty();
        fixture.assertIdle();
    }

    @Test
    void withoutTheOperationsConsentTheBatchIsHandedToTheExecutor() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = start(1, false);

        CompletableFuture<List<Integer>> call = batcher.submit(List.of(7));

        assertThat(fixture.executions).as("waits for the runner").isEmpty();
        runTasks();
        assertThat(fixture.executions).hasSize(1);
        fixture.execution(0).answer();
        assertThat(call).as("completion handed to the executor too").isNotDone();
        runTasks();
        assertThat(call).isCompletedWithValue(List.of(7));
        fixture.assertIdle();
    }

    @Test
    void aBatchOfSeveralCallsFormedWhenASlotFreesRunsOnTheExecutor() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = start(1, true);
        CompletableFuture<List<Integer>> first = batcher.submit(List.of(1));
        CompletableFuture<List<Integer>> second = batcher.submit(List.of(2));
        CompletableFuture<List<Integer>> third = batcher.submit(List.of(3));
        assertThat(fixture.executions).as("the slot is busy: the others accumulate").hasSize(1);

        fixture.execution(0).answer(); // frees the slot on the completing thread: the next batch forms here

        assertThat(first).isCompletedWithValue(List.of(1));
        assertThat(fixture.executions).as("never run on the thread that freed the slot").hasSize(1);
        runTasks();
        assertThat(fixture.execution(1).columns()).containsExactly(List.of(2, 3));
        fixture.execution(1).answer();
        runTasks();
        assertThat(second).isCompletedWithValue(List.of(2));
        assertThat(third).isCompletedWithValue(List.of(3));
        fixture.assertIdle();
    }

    @Test
    void anOperationThatThrowsOnTheSubmitterFailsOnlyThatCallAndFreesTheSlot() {
        IllegalStateException boom = new IllegalStateException("boom");
        fixture.override = (key, columns) -> {
            throw boom;
        };
        Batcher<Integer, Integer> batcher = start(1, true);

        CompletableFuture<List<Integer>> call = batcher.submit(List.of(7));

        assertThat(call).isCompletedExceptionally();
        assertThat(call.handle((value, error) -> error).join()).isSameAs(boom);
        assertThat(batcher.batchesInFlight()).isZero();
        assertThat(tasks).isEmpty();
        fixture.assertIdle();
    }

    @Test
    void aBatchRunOnItsSubmitterIsStillTimedOut() {
        fixture.hold = true;
        Batcher<Integer, Integer> batcher = start(1, true);
        CompletableFuture<List<Integer>> call = batcher.submit(List.of(7));

        fixture.advanceMillis(1_000); // the fixture's maxProcessingTime
        runTasks();

        assertThat(call.handle((value, error) -> error).join()).isInstanceOf(TimeoutException.class);
        assertThat(fixture.execution(0).reply()).as("the operation's future is cancelled").isCancelled();
        assertThat(batcher.batchesInFlight()).isZero();
        fixture.assertIdle();
    }
}
