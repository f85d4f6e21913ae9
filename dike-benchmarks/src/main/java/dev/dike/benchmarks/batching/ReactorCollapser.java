package dev.dike.benchmarks.batching;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.core.publisher.FluxSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The request collapser a Reactor user writes by hand, the peer of dike's {@code Batcher} in the
 * batching benchmark: callers emit into a sink, {@link Flux#bufferTimeout} cuts the stream into
 * batches of at most {@code maxSize} items or {@code maxWait}, and each batch's results are handed
 * back to the callers' futures by position.
 *
 * <p>The sink is the {@link FluxSink} of {@link Flux#create}, which serializes concurrent emitters
 * without a lock. A {@code Sinks.many()} sink rejects concurrent emitters
 * ({@code FAIL_NON_SERIALIZED}); spinning on it with {@code EmitFailureHandler.busyLooping} failed
 * outright with 64 producers on 2 cores, because spinning emitters starve the one that is emitting.
 *
 * <p>Items are moved to one thread before {@code bufferTimeout}, whose timer runs on that same thread.
 * With the default timer (Reactor 3.8.6), an item arriving while the previous buffer's timer flush
 * runs on a {@code parallel} thread can be left in a new buffer whose timer is never started: with
 * one producer, that call never completes (reproduced after 633 to 98,950 sequential calls; see
 * {@code docs/benchmarks.md}). One thread for items and timer rules the race out.
 *
 * @param <T> the item type
 * @param <R> the result type
 */
public final class ReactorCollapser<T, R> implements AutoCloseable {

    private final AtomicReference<FluxSink<Call<T, R>>> calls = new AtomicReference<>();
    private final Function<List<T>, CompletionStage<List<R>>> operation;
    private final Scheduler batchThread = Schedulers.newSingle("reactor-collapser", true);

    /**
     * @param maxSize   the number of items at which a batch is cut at once
     * @param maxWait   how long after its first item a batch is cut anyway
     * @param operation processes one batch; result {@code i} belongs to item {@code i}
     */
    public ReactorCollapser(int maxSize, Duration maxWait, Function<List<T>, CompletionStage<List<R>>> operation) {
        this.operation = Objects.requireNonNull(operation, "operation");
        Flux.<Call<T, R>>create(calls::set, FluxSink.OverflowStrategy.BUFFER)
                .publishOn(batchThread)
                .bufferTimeout(maxSize, maxWait, batchThread)
                .flatMap(this::run, Integer.MAX_VALUE)
                .subscribe();
        // Flux.create hands its sink over on subscription, which happened synchronously above.
        Objects.requireNonNull(calls.get(), "sink");
    }

    /**
     * @param item one item
     * @return a future completed with the item's result, or failed with the batch's failure
     */
    public CompletableFuture<R> submit(T item) {
        Call<T, R> call = new Call<>(item, new CompletableFuture<>());
        calls.get().next(call);
        return call.result;
    }

    private Mono<Void> run(List<Call<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        for (Call<T, R> call : batch) {
            items.add(call.item);
        }
        return Mono.fromCompletionStage(() -> operation.apply(items))
                .doOnNext(results -> {
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).result.complete(results.get(i));
                    }
                })
                .doOnError(failure -> batch.forEach(call -> call.result.completeExceptionally(failure)))
                .onErrorResume(failure -> Mono.empty())
                .then();
    }

    /** Stops taking calls and flushes the buffered ones, then stops the batch thread. */
    @Override
    public void close() {
        calls.get().complete();
        batchThread.disposeGracefully().subscribe();
    }

    private record Call<T, R>(T item, CompletableFuture<R> result) {
    }
}
