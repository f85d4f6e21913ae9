package dev.dike.benchmarks.adaptive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One simulated situation, read from {@code scenarios.txt} (scenarios are data, not code): how long it
 * runs, the offered load over time, the backend's capacity over time, an optional full pause, and the
 * share of calls that fail fast.
 *
 * @param name          the scenario's name
 * @param seconds       simulated seconds
 * @param loadFrom      offered load at the start, as a fraction of the backend's full capacity
 * @param loadTo        offered load at the end (equal to {@code loadFrom} for a constant load)
 * @param capacity      from each second on, the fraction of the full capacity (workers) available
 * @param pauseSecond   when the pause starts; negative for none
 * @param pauseMillis   how long the backend stops completely
 * @param fastFailures  the fraction of calls that fail after a tenth of their service time
 */
record Scenario(String name, int seconds, double loadFrom, double loadTo, NavigableMap<Double, Double> capacity,
        double pauseSecond, int pauseMillis, double fastFailures) {

    /** @return every scenario of {@code scenarios.txt}, in file order */
    static List<Scenario> load() {
        try (InputStream in = Scenario.class.getResourceAsStream("scenarios.txt")) {
            if (in == null) {
                throw new IllegalStateException("scenarios.txt is missing next to " + Scenario.class.getName());
            }
            List<Scenario> scenarios = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    scenarios.add(parse(line));
                }
            }
            return scenarios;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the scenario of this name */
    static Scenario named(String name) {
        return load().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No scenario " + name + " in scenarios.txt"));
    }

    private static Scenario parse(String line) {
        String[] f = line.split("\\|", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException("scenarios.txt: 6 fields expected in: " + line);
        }
        String load = f[2].trim();
        double from;
        double to;
        if (load.contains("..")) {
            from = Double.parseDouble(load.substring(0, load.indexOf("..")));
            to = Double.parseDouble(load.substring(load.indexOf("..") + 2));
        } else {
            from = Double.parseDouble(load);
            to = from;
        }
        NavigableMap<Double, Double> capacity = new TreeMap<>(Map.of(0.0, 1.0));
        for (String step : f[3].trim().isEmpty() ? new String[0] : f[3].trim().split(",")) {
            String[] kv = step.split(":");
            capacity.put(Double.parseDouble(kv[0].trim()), Double.parseDouble(kv[1].trim()));
        }
        double pauseSecond = -1;
        int pauseMillis = 0;
        if (!f[4].trim().isEmpty()) {
            String[] kv = f[4].trim().split(":");
            pauseSecond = Double.parseDouble(kv[0]);
            pauseMillis = Integer.parseInt(kv[1]);
        }
        return new Scenario(f[0].trim(), Integer.parseInt(f[1].trim()), from, to, capacity, pauseSecond, pauseMillis,
                Double.parseDouble(f[5].trim()));
    }

    /** @return the offered load at {@code second}, as a fraction of the full capacity */
    double loadAt(double second) {
        return loadFrom + (loadTo - loadFrom) * Math.min(1.0, second / seconds);
    }

    /** @return the fraction of the full capacity available at {@code second} */
    double capacityAt(double second) {
        return capacity.floorEntry(second).getValue();
    }
}
