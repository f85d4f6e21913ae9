package dev.dike.benchmarks;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.benchmarks.batching.AddOne;
import dev.dike.benchmarks.batching.ReactorCollapser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Item 5 of the suite: each JMH thread is a producer that submits one item and waits for its result,
 * again and again, through dike's {@link Batcher}, through a hand-written {@link ReactorCollapser}
 * and, as the floor, straight to the operation ({@link AddOne}). Both batchers cut a batch at
 * {@code targetBatchSize} items or {@value #MAX_WAITING_MILLIS} ms after its first item.
 *
 * <p>Sample-time mode: the score is the mean time per call, with percentiles; with {@code n}
 * producers and no think time, throughput in items per second is {@code n / mean} (Little's law),
 * which is what the report prints. Run by {@link OneProducer}, {@link SixteenProducers} and
 * {@link SixtyFourProducers}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public abstract class BatchingBenchmark {

    static final int MAX_WAITING_MILLIS = 1;

    private int item = 41;

    /** One dike batcher per trial, shared by every producer. */
    @State(Scope.Benchmark)
    public static class DikeBatcher {

        @Param({"1", "16", "128"})
        int targetBatchSize;

        Batcher<Integer, Integer> batcher;

        /** Builds the batcher. */
        @Setup(Level.Trial)
        public void start() {
            batcher = Batcher.<Integer, Integer>builder("bench", (key, columns) -> AddOne.apply(columns.get(0)))
                    .config(BatchConfig.builder()
                            .targetBatchSize(targetBatchSize)
                            .maxWaitingTime(Duration.ofMillis(MAX_WAITING_MILLIS))
                            .build())
                    .build();
        }

        /** Closes the batcher. */
        @TearDown(Level.Trial)
        public void stop() {
            batcher.close();
        }
    }

    /**
     * A dike batcher with {@code maxWaitingTime = 0} and one batch at a time: a call that finds the
     * slot free is sent at once; calls arriving while a batch runs form the next one.
     */
    @State(Scope.Benchmark)
    public static class DikeZeroWaitBatcher {

        @Param({"1", "16", "128"})
        int targetBatchSize;

        Batcher<Integer, Integer> batcher;

        /** Builds the batcher. */
        @Setup(Level.Trial)
        public void start() {
            batcher = Batcher.<Integer, Integer>builder("bench-zero-wait", (key, columns) -> AddOne.apply(columns.get(0)))
                    .config(BatchConfig.builder()
                            .targetBatchSize(targetBatchSize)
                            .maxWaitingTime(Duration.ZERO)
                            .maxConcurrentBatches(1)
                            .build())
                    .build();
        }

        /** Closes the batcher. */
        @TearDown(Level.Trial)
        public void stop() {
            batcher.close();
        }
    }

    /** One Reactor collapser per trial, shared by every producer. */
    @State(Scope.Benchmark)
    public static class ReactorBatcher {

        @Param({"1", "16", "128"})
        int targetBatchSize;

        ReactorCollapser<Integer, Integer> collapser;

        /** Builds the collapser. */
        @Setup(Level.Trial)
        public void start() {
            collapser = new ReactorCollapser<>(targetBatchSize, Duration.ofMillis(MAX_WAITING_MILLIS), AddOne::apply);
        }

        /** Closes the collapser. */
        @TearDown(Level.Trial)
        public void stop() {
            collapser.close();
        }
    }

    @Benchmark
    public List<Integer> unbatched() {
        return AddOne.apply(List.of(item)).join();
    }

    @Benchmark
    public List<Integer> dike(DikeBatcher dike) {
        return dike.batcher.submit(List.of(item)).join();
    }

    @Benchmark
    public List<Integer> dikeZeroWait(DikeZeroWaitBatcher dike) {
        return dike.batcher.submit(List.of(item)).join();
    }

    @Benchmark
    public Integer reactor(ReactorBatcher reactor) {
        return reactor.collapser.submit(item).join();
    }

    /** A single producer: above a target of 1, a batch never fills and waits for its timer. */
    @Threads(1)
    public static class OneProducer extends BatchingBenchmark {
    }

    /** Sixteen concurrent producers. */
    @Threads(16)
    public static class SixteenProducers extends BatchingBenchmark {
    }

    /** Sixty-four concurrent producers. */
    @Threads(64)
    public static class SixtyFourProducers extends BatchingBenchmark {
    }
}
