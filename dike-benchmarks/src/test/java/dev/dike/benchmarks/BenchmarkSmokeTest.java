package dev.dike.benchmarks;

import dev.dike.benchmarks.batching.BackendLoadProfiler;
import dev.dike.benchmarks.report.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick mode of the suite, run by {@code verify}: one short iteration of one benchmark of each
 * kind, in this JVM, then the report and charts generated from its JSON. It proves that every
 * fixture starts, every benchmarked call completes, and the tooling reads what JMH writes; the
 * numbers mean nothing.
 */
class BenchmarkSmokeTest {

    @Test
    void aFewBenchmarksRunAndTheReportIsGeneratedFromTheirJson(@TempDir Path docs) throws Exception {
        Path json = docs.resolve("results.json");
        Options options = new OptionsBuilder()
                .include("SpringLimitBenchmark.AllCores.dikeAsync$")
                .include("SpringRetryBenchmark.dikeOneRetryAsync$")
                .include("CoreLimiterBenchmark.OneThread.dikeJobLimiter$")
                .include("BatchingBenchmark.SixteenProducers.(dike|reactor)$")
                .include("EndToEndBenchmark.SixteenCallers.batchOn$")
                .include("ClusterLimitBenchmark.OneCaller.clusterLimit$")
                .param("targetBatchSize", "16")
                .addProfiler(BackendLoadProfiler.class)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .build();

        // A full benchmark run elsewhere on the machine holds JMH's global lock; this in-JVM smoke run does not need it.
        System.setProperty("jmh.ignoreLock", "true");
        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).hasSize(8); // the cluster benchmark runs in two modes
        assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore())
                .as(result.getParams().getBenchmark()).isPositive());
        assertThat(results).filteredOn(result -> result.getParams().getBenchmark().contains("EndToEnd")).singleElement()
                .satisfies(result -> assertThat(result.getSecondaryResults()).containsKeys(BackendLoadProfiler.CALLS,
                        BackendLoadProfiler.ROWS));

        System.setProperty("java.awt.headless", "true");
        Files.writeString(docs.resolve("benchmarks.md"), "# Benchmarks\n\n" + Report.BEGIN + "\n" + Report.END + "\n");
        Report.main(new String[] {docs.toString(), json.toString()});

        String markdown = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(markdown).contains("### Machine", "### 2. Limit", "### 6. End to end", "### 7. Cluster", "### Targets")
                .containsPattern("\\| CompletableFuture, \\d+ threads \\| n/a \\| n/a \\| n/a \\| [0-9.,]+ \\|")
                .containsPattern("\\| 16 \\| 16 \\| [0-9.,]+ \\| [0-9.,]+ \\| [0-9.]+× \\|")
                // the backend load per request, from BackendLoadProfiler through JMH's JSON
                .containsPattern("\\| 16 \\| list, wait 10 ms \\| [0-9.,]+ \\| n/a \\| [0-9.,]+ / [0-9.,]+ \\| [0-9.]+ \\| [0-9.]+ \\|")
                // time per call and calls/s of the cluster limit, from its two modes
                .containsPattern("\\| 1 \\| n/a \\| [0-9.,]+( ± [0-9.,]+)? \\| n/a \\| n/a \\| n/a \\| [0-9.,]+ \\| n/a \\| n/a \\|");
        assertThat(docs.resolve(Report.RESULTS_FILE)).isNotEmptyFile();
        for (String chart : new String[] {"benchmarks-batching.png", "benchmarks-end-to-end.png"}) {
            BufferedImage image = ImageIO.read(docs.resolve(chart).toFile());
            assertThat(image.getWidth()).as(chart).isEqualTo(900);
            assertThat(image.getHeight()).as(chart).isEqualTo(760);
        }
    }
}
