package dev.dike.benchmarks.batching;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReactorCollapserTest {

    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    private CompletableFuture<List<Integer>> recordingAddOne(List<Integer> items) {
        batchSizes.add(items.size());
        return AddOne.apply(items);
    }

    /** With Reactor's default timer thread, a lone call got stuck within 633 to 98,950 calls. */
    @Test
    void everyLoneCallIsFlushedByTheTimer() throws Exception {
        int calls = 2000;
        try (ReactorCollapser<Integer, Integer> collapser =
                     new ReactorCollapser<>(16, Duration.ofMillis(1), this::recordingAddOne)) {
            for (int i = 0; i < calls; i++) {
                assertThat(collapser.submit(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
        }
        assertThat(batchSizes).hasSize(calls).containsOnly(1);
    }

    @Test
    void concurrentCallsShareBatchesAndEachGetsItsOwnResult() throws Exception {
        ExecutorService producers = Executors.newFixedThreadPool(8);
        try (ReactorCollapser<Integer, Integer> collapser =
                     new ReactorCollapser<>(16, Duration.ofMillis(50), this::recordingAddOne)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int item = i;
                results.add(CompletableFuture.supplyAsync(() -> collapser.submit(item), producers)
                        .thenCompose(result -> result));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
        } finally {
            producers.shutdownNow();
        }
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
        assertThat(batchSizes).allMatch(size -> size <= 16);
        assertThat(batchSizes.size()).as("batches").isLessThan(1000);
    }

    @Test
    void aFailedBatchFailsEachOfItsCallers() {
        IllegalStateException failure = new IllegalStateException("backend down");
        try (ReactorCollapser<Integer, Integer> collapser =
                     new ReactorCollapser<>(2, Duration.ofSeconds(10), items -> CompletableFuture.failedFuture(failure))) {
            CompletableFuture<Integer> first = collapser.submit(1);
            CompletableFuture<Integer> second = collapser.submit(2);
            assertThat(first).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class).havingCause().isSameAs(failure);
            assertThat(second).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class).havingCause().isSameAs(failure);
            // the pipeline survives a failed batch
            CompletableFuture<Integer> third = collapser.submit(3);
            CompletableFuture<Integer> fourth = collapser.submit(4);
            assertThat(third).failsWithin(Duration.ofSeconds(10));
            assertThat(fourth).failsWithin(Duration.ofSeconds(10));
        }
    }
}
