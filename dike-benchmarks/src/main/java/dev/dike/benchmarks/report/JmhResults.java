package dev.dike.benchmarks.report;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The rows of one or more JMH JSON result files ({@code -rf json}), and the JVM that produced them.
 * Several files merge into one set of rows: a row of a later file replaces the row of an earlier
 * file with the same benchmark, mode, thread count and parameters, in the earlier row's place, so a
 * re-run of a few benchmarks updates a full run without reordering it.
 */
public final class JmhResults {

    private static final String PACKAGE = "dev.dike.benchmarks.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<JmhResult> results;
    private final List<JsonNode> json;
    private final String jvm;

    private JmhResults(List<JmhResult> results, List<JsonNode> json, String jvm) {
        this.results = results;
        this.json = json;
        this.jvm = jvm;
    }

    /**
     * @param file a file written by JMH with {@code -rf json}
     * @return its rows
     * @throws IOException if it cannot be read or is not JMH JSON
     */
    public static JmhResults read(Path file) throws IOException {
        return read(List.of(file));
    }

    /**
     * @param files files written by JMH with {@code -rf json}, earliest first
     * @return their rows, merged: a later file's row replaces an earlier row of the same benchmark,
     *         mode, thread count and parameters
     * @throws IOException if a file cannot be read or is not JMH JSON
     */
    public static JmhResults read(List<Path> files) throws IOException {
        Map<String, JsonNode> merged = new LinkedHashMap<>();
        String jvm = "unknown JVM";
        for (Path file : files) {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (!root.isArray()) {
                throw new IOException(file + " is not a JMH JSON result file: expected an array of results");
            }
            for (JsonNode row : root) {
                merged.put(identity(row), row);
                jvm = row.path("vmName").asString("") + " " + row.path("vmVersion").asString("")
                        + " (JDK " + row.path("jdkVersion").asString("") + ")";
            }
        }
        List<JmhResult> results = new ArrayList<>();
        merged.values().forEach(row -> results.add(parse(row)));
        return new JmhResults(Collections.unmodifiableList(results), List.copyOf(merged.values()), jvm);
    }

    /** @return what makes two rows the same measurement: benchmark, mode, threads and parameters */
    private static String identity(JsonNode row) {
        Map<String, String> params = new TreeMap<>();
        row.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
        return row.path("benchmark").asString("") + " " + row.path("mode").asString("") + " "
                + row.path("threads").asInt(1) + " " + params;
    }

    private static JmhResult parse(JsonNode row) {
        String name = row.path("benchmark").asString("");
        if (name.startsWith(PACKAGE)) {
            name = name.substring(PACKAGE.length());
        }
        Map<String, String> params = new LinkedHashMap<>();
        row.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
        JsonNode primary = row.path("primaryMetric");
        Map<String, Double> percentiles = new LinkedHashMap<>();
        primary.path("scorePercentiles").properties()
                .forEach(e -> percentiles.put(Double.toString(Double.parseDouble(e.getKey())), e.getValue().asDouble()));
        Map<String, Double> secondary = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> metric : row.path("secondaryMetrics").properties()) {
            // JMH 1.37 names it "gc.alloc.rate.norm"; older versions prefixed a middle dot.
            secondary.put(metric.getKey().replace("\u00b7", ""), metric.getValue().path("score").asDouble());
        }
        return new JmhResult(name, row.path("mode").asString(""), row.path("threads").asInt(1), params,
                primary.path("score").asDouble(), number(primary.path("scoreError")),
                primary.path("scoreUnit").asString(""), percentiles, secondary);
    }

    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    /**
     * Writes the merged rows as one JMH JSON result file, as JMH wrote them.
     *
     * @param file where to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        json.forEach(array::add);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array) + "\n");
    }

    /** @return every row, in file order */
    public List<JmhResult> all() {
        return results;
    }

    /** @return the JVM of the run, as JMH recorded it */
    public String jvm() {
        return jvm;
    }

    /**
     * @param benchmark the name without the package, e.g. {@code CoreLimiterBenchmark.OneThread.casPair}
     * @param params    {@code name, value} pairs that the row's parameters must include
     * @return the first row of that benchmark with those parameters, in any mode, if the run has it
     */
    public Optional<JmhResult> find(String benchmark, String... params) {
        return rows(benchmark, params).findFirst();
    }

    /**
     * @param mode      JMH's short name of the mode, e.g. {@code thrpt} or {@code avgt}
     * @param benchmark the name without the package
     * @param params    {@code name, value} pairs that the row's parameters must include
     * @return the row of that benchmark in that mode with those parameters, if the run has it
     */
    public Optional<JmhResult> findInMode(String mode, String benchmark, String... params) {
        return rows(benchmark, params).filter(r -> r.mode().equals(mode)).findFirst();
    }

    private Stream<JmhResult> rows(String benchmark, String... params) {
        return results.stream().filter(r -> r.benchmark().equals(benchmark)).filter(r -> hasParams(r, params));
    }

    private static boolean hasParams(JmhResult result, String... params) {
        for (int i = 0; i + 1 < params.length; i += 2) {
            if (!params[i + 1].equals(result.params().get(params[i]))) {
                return false;
            }
        }
        return true;
    }
}
