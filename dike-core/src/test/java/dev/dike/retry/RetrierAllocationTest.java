package dev.dike.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The happy path (first attempt succeeds) must stay cheap: it is what almost every call takes. */
class RetrierAllocationTest {

    private static final int ROUNDS = 100_000;

    private com.sun.management.ThreadMXBean allocations;
    private final Retrier retrier = Retrier.of("cheap", RetryConfig.defaults());

    @BeforeEach
    void allocationCounter() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
        allocations = (com.sun.management.ThreadMXBean) threads;
        assumeTrue(allocations.isThreadAllocatedMemorySupported() && allocations.isThreadAllocatedMemoryEnabled());
    }

    @Test
    void successfulSyncCallAllocatesNothing() throws Exception {
        Callable<String> operation = () -> "result";
        calls(operation, 20_000); // warm-up: class loading and lambda linkage allocate

        long before = allocatedBytes();
        calls(operation, ROUNDS);
        long allocated = allocatedBytes() - before;

        assertThat(allocated).as("bytes allocated by %d successful calls", ROUNDS).isLessThan(1_024);
    }

    @Test
    void aRetryBudgetAddsNoAllocationPerCall() throws Exception {
        Retrier budgeted = Retrier.builder("budgeted").budget(RetryBudget.builder("budgeted").build()).build();
        Callable<String> operation = () -> "result";
        for (int i = 0; i < 20_000; i++) {
            budgeted.call(operation);
        }

        long before = allocatedBytes();
        for (int i = 0; i < ROUNDS; i++) { // past the bucket's exact calls: the sampled path too
            budgeted.call(operation);
        }
        long allocated = allocatedBytes() - before;

        assertThat(allocated).as("bytes allocated by %d successful calls with a budget", ROUNDS).isLessThan(1_024);
    }

    @Test
    void successfulAsyncCallAllocatesOnlyTheReturnedFuture() {
        CompletableFuture<String> done = CompletableFuture.completedFuture("result");
        Supplier<CompletionStage<String>> operation = () -> done;
        asyncCalls(operation, 20_000);

        long before = allocatedBytes();
        asyncCalls(operation, ROUNDS);
        long perCall = (allocatedBytes() - before) / ROUNDS;

        // One object of a few references; no dependent stage, no completion node, no scheduled task.
        assertThat(perCall).as("bytes allocated per successful executeAsync").isLessThanOrEqualTo(48);
    }

    private void calls(Callable<String> operation, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            if (retrier.call(operation) == null) {
                throw new AssertionError();
            }
        }
    }

    private void asyncCalls(Supplier<CompletionStage<String>> operation, int rounds) {
        for (int i = 0; i < rounds; i++) {
            if (!retrier.executeAsync(operation).isDone()) {
                throw new AssertionError();
            }
        }
    }

    private long allocatedBytes() {
        return allocations.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
