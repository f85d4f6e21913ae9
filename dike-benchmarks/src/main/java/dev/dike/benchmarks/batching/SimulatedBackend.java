package dev.dike.benchmarks.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process stand-in for the sample application's inventory backend, with its cost model: a
 * bulk lookup costs a fixed latency per call plus a cost per item. Like a real backend (a database
 * with a connection pool, a service with a worker pool) it serves at most {@code capacity} calls at
 * once; the others queue in arrival order. Nothing blocks: a call's cost is a scheduled completion.
 */
public final class SimulatedBackend implements AutoCloseable {

    private final int capacity;
    private final long fixedNanos;
    private final long perItemNanos;
    private final ScheduledExecutorService clock;
    private final LongAdder calls = new LongAdder();
    private final LongAdder items = new LongAdder();

    // Guarded by this: short critical sections, never held while a call runs or completes.
    private final Queue<Lookup> queued = new ArrayDeque<>();
    private int running;

    /**
     * @param capacity      calls served at once, at least 1
     * @param fixedLatency  cost of every call
     * @param perItemCost   added cost of each item of a call
     */
    public SimulatedBackend(int capacity, Duration fixedLatency, Duration perItemCost) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Invalid backend capacity '" + capacity + "': must be at least 1");
        }
        this.capacity = capacity;
        this.fixedNanos = fixedLatency.toNanos();
        this.perItemNanos = perItemCost.toNanos();
        this.clock = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "simulated-backend");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Looks up the price of each SKU.
     *
     * @param skus the SKUs
     * @return a future completed, after the call's cost, with one price per SKU ({@code sku * 10})
     */
    public CompletableFuture<List<Integer>> prices(List<Integer> skus) {
        Lookup lookup = new Lookup(List.copyOf(skus), new CompletableFuture<>());
        boolean startNow;
        synchronized (this) {
            startNow = running < capacity;
            if (startNow) {
                running++;
            } else {
                queued.add(lookup);
            }
        }
        if (startNow) {
            start(lookup);
        }
        return lookup.result;
    }

    /** @return the number of calls served so far */
    public long calls() {
        return calls.sum();
    }

    /** @return the number of items looked up so far */
    public long items() {
        return items.sum();
    }

    private void start(Lookup lookup) {
        calls.increment();
        items.add(lookup.skus.size());
        long cost = fixedNanos + perItemNanos * lookup.skus.size();
        clock.schedule(() -> finish(lookup), cost, TimeUnit.NANOSECONDS);
    }

    private void finish(Lookup done) {
        Lookup next;
        synchronized (this) {
            next = queued.poll();
            if (next == null) {
                running--;
            }
        }
        if (next != null) {
            start(next);
        }
        List<Integer> prices = new ArrayList<>(done.skus.size());
        for (Integer sku : done.skus) {
            prices.add(sku * 10);
        }
        done.result.complete(prices);
    }

    /** Stops the clock; calls still running or queued never complete. */
    @Override
    public void close() {
        clock.shutdownNow();
    }

    private record Lookup(List<Integer> skus, CompletableFuture<List<Integer>> result) {
    }
}
