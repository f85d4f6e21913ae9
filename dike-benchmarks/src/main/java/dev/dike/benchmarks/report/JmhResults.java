package dev.dike.benchmarks.report;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rows of one JMH JSON result file ({@code -rf json}), and the JVM that produced them. */
public final class JmhResults {

    private static final String PACKAGE = "dev.dike.benchmarks.";

    private final List<JmhResult> results;
    private final String jvm;

    private JmhResults(List<JmhResult> results, String jvm) {
        this.results = results;
        this.jvm = jvm;
    }

    /**
     * @param file a file written by JMH with {@code -rf json}
     * @return its rows
     * @throws IOException if it cannot be read or is not JMH JSON
     */
    public static JmhResults read(Path file) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(file));
        if (!root.isArray()) {
            throw new IOException(file + " is not a JMH JSON result file: expected an array of results");
        }
        List<JmhResult> rows = new ArrayList<>();
        String jvm = "unknown JVM";
        for (JsonNode row : root) {
            rows.add(parse(row));
            jvm = row.path("vmName").asString("") + " " + row.path("vmVersion").asString("")
                    + " (JDK " + row.path("jdkVersion").asString("") + ")";
        }
        return new JmhResults(Collections.unmodifiableList(rows), jvm);
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
        double alloc = Double.NaN;
        for (Map.Entry<String, JsonNode> metric : row.path("secondaryMetrics").properties()) {
            // JMH 1.37 names it "gc.alloc.rate.norm"; older versions prefixed a middle dot.
            if (metric.getKey().replace("\u00b7", "").equals("gc.alloc.rate.norm")) {
                alloc = metric.getValue().path("score").asDouble();
            }
        }
        return new JmhResult(name, row.path("threads").asInt(1), params, primary.path("score").asDouble(),
                number(primary.path("scoreError")), primary.path("scoreUnit").asString(""), percentiles, alloc);
    }

    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
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
     * @return the row, if the run has it
     */
    public Optional<JmhResult> find(String benchmark, String... params) {
        return results.stream()
                .filter(r -> r.benchmark().equals(benchmark))
                .filter(r -> hasParams(r, params))
                .findFirst();
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
