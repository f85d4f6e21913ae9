package dev.dike.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Describes the machine the report is generated on, from {@code /proc} where Linux has it. */
final class Machine {

    private Machine() {
    }

    static String describe(String jvm, String notes) {
        StringBuilder out = new StringBuilder("### Machine\n\n");
        out.append("- CPU: ").append(firstValue("/proc/cpuinfo", "model name")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores visible to the JVM (nproc)\n");
        out.append("- Memory: ").append(memory()).append('\n');
        out.append("- OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch")).append('\n');
        out.append("- JVM of the run: ").append(jvm).append('\n');
        for (String line : notes.strip().split("\n")) {
            if (!line.isBlank()) {
                out.append("- ").append(line.strip()).append('\n');
            }
        }
        return out.toString();
    }

    private static String memory() {
        String total = firstValue("/proc/meminfo", "MemTotal");
        String[] parts = total.split("\\s+");
        if (parts.length == 2 && parts[1].equalsIgnoreCase("kB")) {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(parts[0]) / 1024.0 / 1024.0);
        }
        return total;
    }

    private static String firstValue(String file, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                    return line.substring(colon + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown (" + file + " unreadable)";
        }
        return "unknown";
    }
}
