package dev.dike.benchmarks.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Reading, merging and writing JMH JSON files. */
class JmhResultsTest {

    @TempDir
    Path dir;

    @Test
    void aLaterFileReplacesTheSameMeasurementInItsPlaceAndKeepsTheOthers() throws IOException {
        Path full = new JmhJson()
                .avgt("ClusterLimitBenchmark.OneCaller.clusterLimit", 1, 100, "us/op").add()
                .thrpt("ClusterLimitBenchmark.OneCaller.clusterLimit", 1, 0.01, "ops/us").add()
                .sample("EndToEndBenchmark.SixtyFourCallers.batchOn", 64, 30, 29, 40, "ms/op")
                .param("keys", "sequential").add()
                .avgt("CoreLimiterBenchmark.OneThread.casPair", 1, 12, "ns/op").add()
                .write(dir.resolve("full.json"));
        Path rerun = new JmhJson()
                .avgt("ClusterLimitBenchmark.OneCaller.clusterLimit", 1, 80, "us/op").add()
                .sample("EndToEndBenchmark.SixtyFourCallers.batchOn", 64, 25, 24, 35, "ms/op")
                .param("keys", "zipf").add()
                .write(dir.resolve("rerun.json"));

        JmhResults merged = JmhResults.read(List.of(full, rerun));

        // Same benchmark and mode: replaced where it was. Other mode, other parameters: both kept.
        assertThat(merged.all()).extracting(r -> r.benchmark() + " " + r.mode() + " " + r.params() + " " + r.score())
                .containsExactly(
                        "ClusterLimitBenchmark.OneCaller.clusterLimit avgt {} 80.0",
                        "ClusterLimitBenchmark.OneCaller.clusterLimit thrpt {} 0.01",
                        "EndToEndBenchmark.SixtyFourCallers.batchOn sample {keys=sequential} 30.0",
                        "CoreLimiterBenchmark.OneThread.casPair avgt {} 12.0",
                        "EndToEndBenchmark.SixtyFourCallers.batchOn sample {keys=zipf} 25.0");
        assertThat(merged.findInMode("thrpt", "ClusterLimitBenchmark.OneCaller.clusterLimit"))
                .hasValueSatisfying(r -> assertThat(r.unit()).isEqualTo("ops/us"));
        assertThat(merged.find("EndToEndBenchmark.SixtyFourCallers.batchOn", "keys", "zipf"))
                .hasValueSatisfying(r -> assertThat(r.percentile(99)).hasValue(35));
    }

    @Test
    void theMergedRowsAreWrittenAsJmhJsonThatReadsBackTheSame() throws IOException {
        Path first = new JmhJson().avgt("CoreLimiterBenchmark.OneThread.casPair", 1, 12, "ns/op").add()
                .write(dir.resolve("first.json"));
        Path second = new JmhJson().avgt("CoreLimiterBenchmark.OneThread.casPair", 1, 11, "ns/op").add()
                .avgt("CoreLimiterBenchmark.AllCores.casPair", 2, 60, "ns/op").add()
                .write(dir.resolve("second.json"));
        Path merged = dir.resolve("merged.json");

        JmhResults.read(List.of(first, second)).write(merged);

        assertThat(JmhResults.read(merged).all()).extracting(JmhResult::benchmark, JmhResult::score)
                .containsExactly(tuple("CoreLimiterBenchmark.OneThread.casPair", 11.0),
                        tuple("CoreLimiterBenchmark.AllCores.casPair", 60.0));
        assertThat(Files.readString(merged)).contains("\"benchmark\" : \"dev.dike.benchmarks.CoreLimiterBenchmark");
    }

    @Test
    void secondaryMetricsAreReadByNameWithOrWithoutJmhsMiddleDot() throws IOException {
        JmhResults results = new JmhJson()
                .avgt("A.OneThread.x", 1, 1, "ns/op").secondary("\u00b7gc.alloc.rate.norm", 96)
                .secondary("backend.calls.per.request", 0.05).add()
                .avgt("A.OneThread.y", 1, 1, "ns/op").add()
                .results(dir);

        JmhResult x = results.find("A.OneThread.x").orElseThrow();
        assertThat(x.allocatedBytesPerOp()).isEqualTo(96);
        assertThat(x.secondary("backend.calls.per.request")).isEqualTo(0.05);
        assertThat(results.find("A.OneThread.y").orElseThrow().allocatedBytesPerOp()).isNaN();
    }

    @Test
    void aFileThatIsNotAnArrayOfResultsIsRefusedByName() throws IOException {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"benchmark\": \"x\"}");

        assertThatThrownBy(() -> JmhResults.read(file))
                .hasMessageContaining("broken.json is not a JMH JSON result file");
    }
}
