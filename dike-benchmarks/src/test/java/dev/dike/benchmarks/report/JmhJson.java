package dev.dike.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds small JMH JSON result files for the report's tests: only the fields the report reads, in
 * the shape JMH 1.37 writes them ({@code -rf json}). Not thread-safe; one per test.
 */
final class JmhJson {

    private final List<String> rows = new ArrayList<>();

    /** One row being built; {@link #add()} appends it to the file. */
    final class Row {

        private final String benchmark;
        private final String mode;
        private final int threads;
        private final double score;
        private final String unit;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, Double> percentiles = new LinkedHashMap<>();
        private final Map<String, Double> secondary = new LinkedHashMap<>();

        private Row(String benchmark, String mode, int threads, double score, String unit) {
            this.benchmark = benchmark;
            this.mode = mode;
            this.threads = threads;
            this.score = score;
            this.unit = unit;
        }

        Row param(String name, String value) {
            params.put(name, value);
            return this;
        }

        /** Sample-time percentiles: p50 and p99. */
        Row percentiles(double p50, double p99) {
            percentiles.put("50.0", p50);
            percentiles.put("99.0", p99);
            return this;
        }

        /** A secondary metric, named as JMH names it (e.g. with the middle dot of older versions). */
        Row secondary(String name, double value) {
            secondary.put(name, value);
            return this;
        }

        JmhJson add() {
            StringJoiner paramJson = new StringJoiner(", ", "{", "}");
            params.forEach((k, v) -> paramJson.add(quote(k) + ": " + quote(v)));
            StringJoiner percentileJson = new StringJoiner(", ", "{", "}");
            percentiles.forEach((k, v) -> percentileJson.add(quote(k) + ": " + v));
            StringJoiner secondaryJson = new StringJoiner(", ", "{", "}");
            secondary.forEach((k, v) -> secondaryJson.add(quote(k) + ": {\"score\": " + v
                    + ", \"scoreError\": \"NaN\", \"scoreUnit\": \"x\"}"));
            rows.add(String.format(Locale.ROOT, "{\"jmhVersion\": \"1.37\", \"benchmark\": %s, \"mode\": %s,"
                            + " \"threads\": %d, \"vmName\": \"Test VM\", \"vmVersion\": \"17\", \"jdkVersion\": \"17.0.1\","
                            + " \"params\": %s, \"primaryMetric\": {\"score\": %s, \"scoreError\": %s,"
                            + " \"scorePercentiles\": %s, \"scoreUnit\": %s}, \"secondaryMetrics\": %s}",
                    quote("dev.dike.benchmarks." + benchmark), quote(mode), threads, paramJson,
                    Double.toString(score), Double.toString(score / 100), percentileJson, quote(unit), secondaryJson));
            return JmhJson.this;
        }
    }

    /** A row in average-time mode. */
    Row avgt(String benchmark, int threads, double score, String unit) {
        return new Row(benchmark, "avgt", threads, score, unit);
    }

    /** A row in throughput mode. */
    Row thrpt(String benchmark, int threads, double score, String unit) {
        return new Row(benchmark, "thrpt", threads, score, unit);
    }

    /** A row in sample-time mode, with its p50 and p99. */
    Row sample(String benchmark, int threads, double mean, double p50, double p99, String unit) {
        return new Row(benchmark, "sample", threads, mean, unit).percentiles(p50, p99);
    }

    /** @return the file's text: a JSON array of the rows added so far */
    String text() {
        return "[\n" + String.join(",\n", rows) + "\n]\n";
    }

    /** Writes the file and returns its path. */
    Path write(Path file) throws IOException {
        Files.writeString(file, text());
        return file;
    }

    /** @return the rows as parsed by the report */
    JmhResults results(Path dir) throws IOException {
        return JmhResults.read(write(dir.resolve("results-" + rows.size() + ".json")));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
