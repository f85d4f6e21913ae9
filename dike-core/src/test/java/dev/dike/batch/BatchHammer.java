package dev.dike.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many threads submit distinct rows under a few keys against an operation that computes
 * {@code 3 * a + b} per row and, at random, blocks a moment, answers late, throws, fails, answers with the wrong size,
 * or never answers (and is timed out); some callers cancel, some tuning changes the target meanwhile.
 * Afterwards every caller must hold exactly its own results or its batch's failure, no row may have
 * been sent twice or under a foreign key, the cap on concurrent batches must have held, every
 * caller must have been reported once, and no state may remain.
 */
final class BatchHammer {

    private static final int KEYS = 5;
    private static final int ROW_SLOTS = 8;

    private final BatchConfig config;
    private final int threads;
    private final int callsPerThread;
    private final boolean tune;
    private final Executor lateReplies = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);
    private final Set<Integer> sentRows = ConcurrentHashMap.newKeySet();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final RecordingListener listener = new RecordingListener();
    private final Batcher<Integer, Integer> batcher;

    BatchHammer(BatchConfig config, int threads, int callsPerThread, boolean tune) {
        this.config = config;
        this.threads = threads;
        this.callsPerThread = callsPerThread;
        this.tune = tune;
        this.batcher = Batcher.builder("hammer", this::operate).config(config).listener(listener).build();
    }

    private static Object keyOf(int caller) {
        int index = caller % KEYS;
        return index == 0 ? null : "key-" + index;
    }

    private static int result(int a, int b) {
        return 3 * a + b;
    }

    private CompletionStage<List<Integer>> operate(Object key, List<List<Integer>> columns) {
        if (batcher.batchesInFlight() > config.maxConcurrentBatches()) {
            violations.add("cap exceeded: " + batcher.batchesInFlight());
        }
        List<Integer> a = columns.get(0);
        List<Integer> b = columns.get(1);
        if (columns.size() != 2 || a.size() != b.size() || a.isEmpty()) {
            violations.add("bad shape " + columns);
        }
        List<Integer> results = new ArrayList<>();
        for (int row = 0; row < a.size(); row++) {
            int value = a.get(row);
            if (!Objects.equals(keyOf(value / ROW_SLOTS), key)) {
                violations.add("row " + value + " sent under key " + key);
            }
            if (!sentRows.add(value)) {
                violations.add("row " + value + " sent twice");
            }
            results.add(result(value, b.get(row)));
        }
        int dice = ThreadLocalRandom.current().nextInt(100);
        if (dice < 68) {
            return CompletableFuture.completedFuture(results);
        } else if (dice < 70) {
            // Blocks inside execute(): batches formed meanwhile must get another runner.
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(300));
            return CompletableFuture.completedFuture(results);
        } else if (dice < 82) {
            return CompletableFuture.supplyAsync(() -> results, lateReplies);
        } else if (dice < 87) {
            throw new Boom();
        } else if (dice < 92) {
            return CompletableFuture.failedFuture(new Boom());
        } else if (dice < 98) {
            return CompletableFuture.completedFuture(results.subList(1, results.size()));
        }
        return new CompletableFuture<>(); // never answers: the processing timeout ends it
    }

    /** Runs the hammer and checks everything; fails the calling test on any violation. */
    void run() throws Exception {
        int total = threads * callsPerThread;
        List<List<Integer>> inputs = new ArrayList<>(total);
        List<CompletableFuture<List<Integer>>> futures = new ArrayList<>(total);
        for (int caller = 0; caller < total; caller++) {
            inputs.add(null);
            futures.add(null);
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            int first = thread * callsPerThread;
            submitters.add(new Thread(() -> submitAll(start, first, inputs, futures), "submitter-" + thread));
        }
        Thread tuner = new Thread(() -> {
            try {
                start.await();
                while (tune && !Thread.currentThread().isInterrupted()) {
                    batcher.setTargetBatchSize(1 + ThreadLocalRandom.current().nextInt(12));
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // leaves the cores to the submitters
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }, "tuner");
        submitters.forEach(Thread::start);
        tuner.start();
        start.countDown();
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.MINUTES.toMillis(5));
        }
        tuner.interrupt();
        tuner.join();

        awaitAllDone(futures);
        for (int caller = 0; caller < total; caller++) {
            check(caller, inputs.get(caller), futures.get(caller));
        }
        assertThat(violations).isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(listener.totalCalls()).isEqualTo(total);
            assertThat(batcher.batchesInFlight()).isZero();
            assertThat(batcher.queuedCalls()).isZero();
            assertThat(batcher.queuedRows()).isZero();
            assertThat(batcher.liveQueues()).isZero();
            assertThat(batcher.listedQueues()).isZero();
            assertThat(batcher.runners()).as("runners").isZero();
            assertThat(batcher.timedQueues()).as("queues waiting for their flush timer").isZero();
        });
        assertThat(listener.count(BatchCallOutcome.SUCCESS)).isPositive();
    }

    /** Waits as long as callers keep completing; a 10 s stall means a stranded caller, not a slow machine. */
    private void awaitAllDone(List<CompletableFuture<List<Integer>>> futures) {
        long lastProgress = System.nanoTime();
        long done = -1;
        while (true) {
            long nowDone = futures.stream().filter(CompletableFuture::isDone).count();
            if (nowDone == futures.size()) {
                return;
            }
            if (nowDone != done) {
                done = nowDone;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(10)) {
                throw new AssertionError((futures.size() - done) + " callers stranded; queued calls "
                        + batcher.queuedCalls() + ", rows " + batcher.queuedRows() + ", in flight "
                        + batcher.batchesInFlight() + ", live queues " + batcher.liveQueues() + ", listed "
                        + batcher.listedQueues());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void submitAll(CountDownLatch start, int first, List<List<Integer>> inputs,
            List<CompletableFuture<List<Integer>>> futures) {
        try {
            start.await();
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int caller = first; caller < first + callsPerThread; caller++) {
            int rows = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(4);
            List<Integer> a = new ArrayList<>();
            List<Integer> ones = new ArrayList<>();
            for (int row = 0; row < rows; row++) {
                a.add(caller * ROW_SLOTS + row);
                ones.add(1);
            }
            inputs.set(caller, a);
            CompletableFuture<List<Integer>> future = batcher.submitKeyed(keyOf(caller), List.of(a, ones));
            futures.set(caller, future);
            if (random.nextInt(30) == 0) {
                future.cancel(false);
            }
        }
    }

    private void check(int caller, List<Integer> input, CompletableFuture<List<Integer>> future) {
        if (future.isCancelled()) {
            return;
        }
        List<Integer> expected = new ArrayList<>();
        for (int value : input) {
            expected.add(result(value, 1));
        }
        try {
            List<Integer> actual = future.join();
            if (!expected.equals(actual)) {
                violations.add("caller " + caller + " got " + actual + " instead of " + expected);
            }
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof TimeoutException) {
                return; // the processing timeout counts from formation: a batch may time out before it is sent
            }
            if (!(cause instanceof Boom
                    || cause instanceof IllegalStateException && cause.getMessage().contains("results for"))) {
                throw new AssertionError("caller " + caller + " failed unexpectedly", cause);
            }
        }
        // Served or failed by its batch: either way its rows were sent (exactly once, checked as they were).
        if (!sentRows.containsAll(input)) {
            violations.add("rows of caller " + caller + " were never sent: " + input);
        }
    }

    int batches() {
        return (int) listener.batchEvents.stream().filter(event -> event.startsWith("started")).count();
    }

    Map<BatchCallOutcome, ?> outcomes() {
        return listener.outcomes;
    }

    /** The operation's own failure. */
    static final class Boom extends RuntimeException {
        Boom() {
            super("boom", null, false, false);
        }
    }
}
