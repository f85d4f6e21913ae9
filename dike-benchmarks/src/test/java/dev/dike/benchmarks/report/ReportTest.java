package dev.dike.benchmarks.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line: several result files merged into the docs directory, and a re-run merged into that. */
class ReportTest {

    private static final String CLUSTER = "ClusterLimitBenchmark.OneCaller.";

    @TempDir
    Path docs;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void resultFilesAreMergedIntoTheDocsDirectoryAndThePageIsRegeneratedBetweenItsMarkers() throws IOException {
        Files.writeString(docs.resolve("benchmarks.md"),
                "# Benchmarks\n\nwritten by hand\n\n" + Report.BEGIN + "\nold tables\n" + Report.END + "\n\nafter\n");
        Path full = new JmhJson()
                .avgt(CLUSTER + "floorIncrDecr", 1, 90, "us/op").add()
                .avgt(CLUSTER + "clusterLimit", 1, 150, "us/op").add()
                .write(docs.resolve("full.json"));
        Path zipf = new JmhJson()
                .sample("EndToEndBenchmark.SixtyFourCallers.single", 64, 20, 19, 30, "ms/op").param("keys", "zipf").add()
                .write(docs.resolve("zipf.json"));
        Path notes = Files.writeString(docs.resolve("notes.txt"), "JMH run `results`: wall-clock time 30 min 5 s\n");

        Report.main(new String[] {"--notes", notes.toString(), docs.toString(), full.toString(), zipf.toString()});

        String page = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(page).startsWith("# Benchmarks\n\nwritten by hand\n\n" + Report.BEGIN)
                .endsWith(Report.END + "\n\nafter\n")
                .doesNotContain("old tables")
                .contains("- JMH run `results`: wall-clock time 30 min 5 s")
                .contains("| 1 | 90.0 ± 0.900 | 150 ± 1.50 | n/a | 1.67× |")
                .contains("| 64 | single-item, wait 10 ms | 3,200 |");
        assertThat(JmhResults.read(docs.resolve(Report.RESULTS_FILE)).all()).hasSize(3);
        assertThat(docs.resolve("benchmarks-batching.png")).isNotEmptyFile();
        assertThat(docs.resolve("benchmarks-end-to-end.png")).isNotEmptyFile();

        // A re-run of one benchmark, merged into the published results (run.sh --merge).
        Path rerun = new JmhJson().avgt(CLUSTER + "clusterLimit", 1, 99, "us/op").add().write(docs.resolve("rerun.json"));

        Report.main(new String[] {docs.toString(), docs.resolve(Report.RESULTS_FILE).toString(), rerun.toString()});

        assertThat(Files.readString(docs.resolve("benchmarks.md"))).contains("| 1 | 90.0 ± 0.900 | 99.0 ± 0.990 | n/a | 1.10× |");
        assertThat(JmhResults.read(docs.resolve(Report.RESULTS_FILE)).all())
                .extracting(JmhResult::method).containsExactly("floorIncrDecr", "clusterLimit", "single");
    }
}
