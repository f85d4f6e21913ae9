package dev.dike.benchmarks;

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
                .param("targetBatchSize", "16")
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

        assertThat(results).hasSize(6);
        assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore())
                .as(result.getParams().getBenchmark()).isPositive());

        System.setProperty("java.awt.headless", "true");
        Files.writeString(docs.resolve("benchmarks.md"), "# Benchmarks\n\n" + Report.BEGIN + "\n" + Report.END + "\n");
        Report.main(new String[] {json.toString(), docs.toString()});

        String markdown = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(markdown).contains("### Machine", "### 2. Limit", "### 6. End to end", "### Targets")
                .containsPattern("\\| CompletableFuture, \\d+ threads \\| n/a \\| n/a \\| n/a \\| [0-9.,]+ \\|")
                .containsPattern("\\| 16 \\| 16 \\| [0-9.,]+ \\| [0-9.,]+ \\| [0-9.]+× \\|")
                .containsPattern("\\| 16 \\| n/a \\| [0-9.,]+ \\| n/a \\|");
        for (String chart : new String[] {"benchmarks-batching.png", "benchmarks-end-to-end.png"}) {
            BufferedImage image = ImageIO.read(docs.resolve(chart).toFile());
            assertThat(image.getWidth()).as(chart).isEqualTo(900);
            assertThat(image.getHeight()).as(chart).isEqualTo(760);
        }
    }
}
