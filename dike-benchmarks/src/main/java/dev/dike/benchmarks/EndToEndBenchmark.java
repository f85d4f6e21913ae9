package dev.dike.benchmarks;

import dev.dike.benchmarks.batching.BackendLoadProfiler;
import dev.dike.benchmarks.batching.SimulatedBackend;
import dev.dike.benchmarks.batching.Zipf;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Item 6 of the suite: callers look prices up one SKU at a time through a Spring bean in front of
 * the {@link SimulatedBackend}, with {@code @Batch} off and on. The defaults are the sample
 * application's: the backend serves 8 calls at once, each costing 20 ms plus 0.1 ms per item, and
 * a batch is flushed at 50 items or 10 ms after its first. Sample-time mode: mean and p99 per
 * call; throughput is {@code callers / mean}. Run by {@link OneCaller}, {@link SixteenCallers} and
 * {@link SixtyFourCallers}.
 *
 * <p>Variants: {@code batchZeroWait} is {@code batchOn} with {@code max-waiting-time: 0} and
 * {@code max-concurrent-batches} equal to the backend's capacity (send when a slot is free, fill
 * while all are busy); {@code single} and {@code singleZeroWait} look each SKU up through a
 * single-item method ({@code @Batch(bulkMethod = ...)}), which sends each distinct SKU of a batch
 * once. With {@code -p keys=zipf} the SKUs are drawn from a Zipf distribution over 1,000 SKUs (a few
 * hot ones), instead of cycling through them. At the end of each iteration the backend calls and rows
 * per request are printed, to compare list mode (every request is a row) with single-item mode;
 * with {@code -prof dev.dike.benchmarks.batching.BackendLoadProfiler} they are also secondary
 * results in JMH's JSON, which the report reads.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public abstract class EndToEndBenchmark {

    private static final Zipf HOT_SKUS = new Zipf(1000, 1.0);

    private int sku;

    /** The running application, shared by every caller. */
    @State(Scope.Benchmark)
    public static class Application {

        /** Target batch size of the batched bean ({@code dike.batch.instances.prices.target-batch-size}). */
        @Param({"50"})
        int targetBatchSize;

        /** Calls the backend serves at once; also the cap of the zero-wait instances. */
        @Param({"8"})
        int backendCapacity;

        /** {@code sequential}: each caller cycles through 1,024 SKUs; {@code zipf}: hot SKUs, see {@link Zipf}. */
        @Param({"sequential"})
        String keys;

        ConfigurableApplicationContext context;
        SimulatedBackend backend;
        EndToEndApplication.Prices unbatched;
        EndToEndApplication.Prices batched;
        EndToEndApplication.Prices zeroWait;
        EndToEndApplication.SinglePrices single;
        EndToEndApplication.SinglePrices singleZeroWait;
        final LongAdder requests = new LongAdder();
        private long callsBefore;
        private long rowsBefore;

        /** Starts the application. */
        @Setup(Level.Trial)
        public void start() {
            List<String> properties = new ArrayList<>();
            for (String instance : List.of(EndToEndApplication.BATCH, EndToEndApplication.ZERO_WAIT,
                    EndToEndApplication.SINGLE, EndToEndApplication.SINGLE_ZERO_WAIT)) {
                properties.add("dike.batch.instances." + instance + ".target-batch-size=" + targetBatchSize);
            }
            for (String instance : List.of(EndToEndApplication.ZERO_WAIT, EndToEndApplication.SINGLE_ZERO_WAIT)) {
                properties.add("dike.batch.instances." + instance + ".max-concurrent-batches=" + backendCapacity);
            }
            properties.add("benchmark.backend.capacity=" + backendCapacity);
            context = EndToEndApplication.start(properties.toArray(String[]::new));
            backend = context.getBean(SimulatedBackend.class);
            unbatched = context.getBean("unbatchedPrices", EndToEndApplication.Prices.class);
            batched = context.getBean("batchedPrices", EndToEndApplication.Prices.class);
            zeroWait = context.getBean("zeroWaitPrices", EndToEndApplication.Prices.class);
            single = context.getBean("singlePrices", EndToEndApplication.SinglePrices.class);
            singleZeroWait = context.getBean("singleZeroWaitPrices", EndToEndApplication.SinglePrices.class);
        }

        /** Counts from the start of each measured (or warm-up) iteration. */
        @Setup(Level.Iteration)
        public void startCounting() {
            requests.reset();
            callsBefore = backend.calls();
            rowsBefore = backend.items();
        }

        /**
         * Prints the backend calls and rows per request of the iteration (what de-duplication saves),
         * and hands them to {@link BackendLoadProfiler}, which puts them in JMH's results.
         */
        @TearDown(Level.Iteration)
        public void printBackendLoad() {
            long served = requests.sum();
            long calls = backend.calls() - callsBefore;
            long rows = backend.items() - rowsBefore;
            BackendLoadProfiler.record(served, calls, rows);
            System.out.printf(Locale.ROOT, "%n[backend] keys=%s requests=%d calls/request=%.4f rows/request=%.4f%n",
                    keys, served, calls / (double) Math.max(1, served), rows / (double) Math.max(1, served));
        }

        /** Closes the application. */
        @TearDown(Level.Trial)
        public void stop() {
            context.close();
        }
    }

    @Benchmark
    public List<Integer> batchOff(Application application) {
        return application.unbatched.prices(List.of(nextSku(application))).join();
    }

    @Benchmark
    public List<Integer> batchOn(Application application) {
        return application.batched.prices(List.of(nextSku(application))).join();
    }

    @Benchmark
    public List<Integer> batchZeroWait(Application application) {
        return application.zeroWait.prices(List.of(nextSku(application))).join();
    }

    @Benchmark
    public Integer single(Application application) {
        return application.single.price(nextSku(application)).join();
    }

    @Benchmark
    public Integer singleZeroWait(Application application) {
        return application.singleZeroWait.price(nextSku(application)).join();
    }

    private int nextSku(Application application) {
        application.requests.increment();
        if (application.keys.equals("zipf")) {
            return HOT_SKUS.next();
        }
        sku = (sku + 1) & 1023;
        return sku;
    }

    /** One caller: batching can only add latency, unless it sends at once when idle. */
    @Threads(1)
    public static class OneCaller extends EndToEndBenchmark {
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
