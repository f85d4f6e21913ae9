package dev.dike.batch;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random interleavings of single-item callers with distinct rows (few items, so many repeat),
 * cancellations, answers of running batches in any order and clock steps, on the virtual clock
 * with a direct executor. Whatever the order, every caller completes exactly once, with the value
 * of its own item (or its cancellation), no batch sends an item twice, every batch goes to the key
 * of its items, and the batcher ends idle.
 */
class BatcherDistinctProperties {

    /** One step: what to do ({@code op}) and with what ({@code arg}). */
    record Step(int op, int arg) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Arbitraries.integers().between(0, 4).flatMap(op -> Arbitraries.integers().between(0, 40)
                .map(arg -> new Step(op, arg))).list().ofMaxSize(80);
    }

    @Property(tries = 300)
    void everyCallerCompletesOnceWithTheValueOfItsOwnItem(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 1, max = 4) int target, @ForAll @IntRange(min = 1, max = 3) int slots,
            @ForAll boolean zeroWait) {
        BatchFixture fixture = new BatchFixture();
        List<BatchFixture.Execution> pending = new ArrayList<>();
        fixture.override = (key, columns) -> {
            List<Integer> items = columns.get(0);
            assertThat(new HashSet<>(items)).as("items sent once per batch").hasSameSizeAs(items);
            assertThat(items).as("batch key of every item").allMatch(item -> item % 2 == (Integer) key);
            BatchFixture.Execution execution = fixture.executions.get(fixture.executions.size() - 1);
            pending.add(execution);
            return execution.reply();
        };
        Batcher<Integer, Integer> batcher = fixture.start(BatchFixture.configBuilder(target)
                .maxWaitingTime(zeroWait ? Duration.ZERO : Duration.ofMillis(5)).maxConcurrentBatches(slots).build());
        List<Integer> items = new ArrayList<>();
        List<CompletableFuture<List<Integer>>> callers = new ArrayList<>();
        List<AtomicInteger> completions = new ArrayList<>();

        for (Step step : steps) {
            switch (step.op()) {
                case 0, 1 -> {
                    int item = step.arg() % 6;
                    CompletableFuture<List<Integer>> caller = batcher.submitDistinct(item % 2,
                            List.of(Collections.singletonList(item)));
                    AtomicInteger completed = new AtomicInteger();
                    caller.whenComplete((value, error) -> completed.incrementAndGet());
                    items.add(item);
                    callers.add(caller);
                    completions.add(completed);
                }
                case 2 -> {
                    if (!pending.isEmpty()) {
                        pending.remove(step.arg() % pending.size()).answer();
                    }
                }
                case 3 -> fixture.advanceMillis(1 + step.arg() % 6);
                default -> {
                    if (!callers.isEmpty()) {
                        callers.get(step.arg() % callers.size()).cancel(false);
                    }
                }
            }
        }
        for (int round = 0; round < 100 && (!pending.isEmpty() || batcher.queuedCalls() > 0); round++) {
            while (!pending.isEmpty()) {
                pending.remove(0).answer();
            }
            fixture.advanceMillis(5);
        }

        for (int index = 0; index < callers.size(); index++) {
            CompletableFuture<List<Integer>> caller = callers.get(index);
            assertThat(completions.get(index)).as("completions of caller %d", index).hasValue(1);
            if (!caller.isCancelled()) {
                assertThat(caller).as("caller %d of item %d", index, items.get(index))
                        .isCompletedWithValue(List.of(items.get(index)));
            }
        }
        assertThat(fixture.listener.totalCalls()).as("outcomes reported").isEqualTo(callers.size());
        fixture.assertIdle();
    }
}
