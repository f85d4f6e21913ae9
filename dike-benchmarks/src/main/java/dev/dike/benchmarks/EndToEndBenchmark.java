package dev.dike.benchmarks;

import dev.dike.benchmarks.batching.SimulatedBackend;
import dev.dike.benchmarks.fixture.EndToEndApplication;
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
import org.springframework.context.ConfigurableApplicationContext;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Item 6 of the suite: callers look prices up one SKU at a time through a Spring bean in front of
 * the {@link SimulatedBackend}, with {@code @Batch} off and on. The defaults are the sample
 * application's: the backend serves 8 calls at once, each costing 20 ms plus 0.1 ms per item, and
 * a batch is flushed at 50 items or 10 ms after its first. Sample-time mode: mean and p99 per
 * call; throughput is {@code callers / mean}. Run by {@link SixteenCallers} and
 * {@link SixtyFourCallers}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public abstract class EndToEndBenchmark {

    private int sku;

    /** The running application, shared by every caller. */
    @State(Scope.Benchmark)
    public static class Application {

        /** Target batch size of the batched bean ({@code dike.batch.instances.prices.target-batch-size}). */
        @Param({"50"})
        int targetBatchSize;

        /** Calls the backend serves at once. */
        @Param({"8"})
        int backendCapacity;

        ConfigurableApplicationContext context;
        EndToEndApplication.Prices unbatched;
        EndToEndApplication.Prices batched;

        /** Starts the application. */
        @Setup(Level.Trial)
        public void start() {
            context = EndToEndApplication.start(
                    "dike.batch.instances." + EndToEndApplication.BATCH + ".target-batch-size=" + targetBatchSize,
                    "benchmark.backend.capacity=" + backendCapacity);
            unbatched = context.getBean("unbatchedPrices", EndToEndApplication.Prices.class);
            batched = context.getBean("batchedPrices", EndToEndApplication.Prices.class);
        }

        /** Closes the application. */
        @TearDown(Level.Trial)
        public void stop() {
            context.close();
        }
    }

    @Benchmark
    public List<Integer> batchOff(Application application) {
        return application.unbatched.prices(List.of(nextSku())).join();
    }

    @Benchmark
    public List<Integer> batchOn(Application application) {
        return application.batched.prices(List.of(nextSku())).join();
    }

    private int nextSku() {
        sku = (sku + 1) & 1023;
        return sku;
    }

    /** Sixteen concurrent callers. */
    @Threads(16)
    public static class SixteenCallers extends EndToEndBenchmark {
    }

    /** Sixty-four concurrent callers. */
    @Threads(64)
    public static class SixtyFourCallers extends EndToEndBenchmark {
    }
}
