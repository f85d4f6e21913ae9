package dev.dike.batch;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Concurrent submitters on the real timer and executor; see {@link BatchHammer} for what is checked. */
class BatcherStressTest {

    private static BatchConfig config(int target, int maxConcurrentBatches) {
        return BatchConfig.builder().targetBatchSize(target).maxWaitingTime(Duration.ofMillis(1))
                .maxProcessingTime(Duration.ofMillis(100)).maxConcurrentBatches(maxConcurrentBatches).build();
    }

    @Test
    void quickHammerLosesMixesAndLeaksNothing() throws Exception {
        new BatchHammer(config(6, 2), 4, 1_000, false).run();
        new BatchHammer(config(3, BatchConfig.UNLIMITED), 4, 1_000, true).run();
    }

    @Test
    void closingWhileCallsArriveStrandsNoCaller() throws Exception {
        closeUnderLoad(4, 1_000);
    }

    @Test
    @Tag("stress")
    void heavyHammerWithTuning() throws Exception {
        int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 2);
        new BatchHammer(config(5, 2), threads, 4_000, true).run();
    }

    @Test
    @Tag("stress")
    void heavyHammerUnderManyShapes() throws Exception {
        int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 2);
        new BatchHammer(config(1, BatchConfig.UNLIMITED), threads, 4_000, false).run();
        new BatchHammer(config(8, 1), threads, 4_000, false).run();
        new BatchHammer(config(32, 3), threads, 4_000, false).run();
        new BatchHammer(config(4, BatchConfig.UNLIMITED), threads, 4_000, true).run();
    }

    @Test
    @Tag("stress")
    void heavyCloseUnderLoad() throws Exception {
        for (int round = 0; round < 10; round++) {
            closeUnderLoad(8, 2_000);
        }
    }

    /** Every call racing with close() either gets its result or is refused as closed; none waits forever. */
    private static void closeUnderLoad(int threads, int callsPerThread) throws Exception {
        Batcher<Integer, Integer> batcher = Batcher.<Integer, Integer>builder("closing",
                        (key, columns) -> CompletableFuture.completedFuture(columns.get(0)))
                .config(BatchConfig.builder().targetBatchSize(7).maxWaitingTime(Duration.ofSeconds(30))
                        .maxConcurrentBatches(2).build())
                .build();
        List<List<CompletableFuture<List<Integer>>>> perThread = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            List<CompletableFuture<List<Integer>>> futures = new ArrayList<>();
            perThread.add(futures);
            int offset = thread * callsPerThread;
            submitters.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException stopped) {
                    return;
                }
                for (int call = 0; call < callsPerThread; call++) {
                    futures.add(batcher.submitKeyed(call % 3, List.of(List.of(offset + call))));
                }
            }));
        }
        submitters.forEach(Thread::start);
        start.countDown();
        Thread.yield();
        batcher.close();
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.MINUTES.toMillis(2));
        }

        // The waiting time is 30 s: only close() can have flushed the calls it accepted.
        await().atMost(Duration.ofSeconds(10)).until(() -> perThread.stream().flatMap(List::stream)
                .allMatch(CompletableFuture::isDone));
        int refused = 0;
        for (int thread = 0; thread < threads; thread++) {
            List<CompletableFuture<List<Integer>>> futures = perThread.get(thread);
            for (int call = 0; call < futures.size(); call++) {
                CompletableFuture<List<Integer>> future = futures.get(call);
                try {
                    assertThat(future.join()).containsExactly(thread * callsPerThread + call);
                } catch (CompletionException closed) {
                    assertThat(closed.getCause()).isInstanceOf(IllegalStateException.class)
                            .hasMessage("Batcher closing is closed");
                    refused++;
                }
            }
        }
        assertThat(refused).isLessThanOrEqualTo(threads * callsPerThread);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(batcher.batchesInFlight()).isZero();
            assertThat(batcher.queuedCalls()).isZero();
            assertThat(batcher.liveQueues()).isZero();
            assertThat(batcher.listedQueues()).isZero();
        });
    }
}
