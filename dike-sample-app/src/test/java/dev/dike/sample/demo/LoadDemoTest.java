package dev.dike.sample.demo;

import dev.dike.sample.SampleAppTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The load demo, shortened to two phases of 500 ms at 200 requests/s, against the running app. */
@SampleAppTest
class LoadDemoTest {

    @Autowired
    LoadDemo demo;

    @Test
    void runsBothPhasesAndPrintsTheSummary() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        demo.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

        String output = buffer.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("batching on", "batching off", "@LimitJobs prices", "@Batch     price-lookups",
                "@Retry     inventory", "latency p99 (ms)");
        // 200 requests/s for 500 ms, exactly, in each phase
        assertThat(row(output, "requests sent")).isEqualTo("100 100");
        String[] succeeded = row(output, "succeeded \\(200\\)").split(" ");
        assertThat(Integer.parseInt(succeeded[0])).isPositive();
        assertThat(Integer.parseInt(succeeded[1])).isPositive();
        String[] calls = row(output, "backend calls").split(" ");
        assertThat(Integer.parseInt(calls[0])).as("batched backend calls").isLessThan(Integer.parseInt(calls[1]));
    }

    @Test
    void doesNothingWithoutTheDemoOption() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            demo.run(new DefaultApplicationArguments("--server.port=0"));
        } finally {
            System.setOut(original);
        }
        assertThat(buffer.toString(StandardCharsets.UTF_8)).doesNotContain("Load demo");
    }

    /** @return the cells of a summary row, separated by one space, without thousands separators */
    private static String row(String output, String name) {
        Matcher matcher = Pattern.compile("^" + name + "\\s+(.*)$", Pattern.MULTILINE).matcher(output);
        assertThat(matcher.find()).as("row %s in%n%s", name, output).isTrue();
        return matcher.group(1).trim().replace(",", "").replaceAll("\\s+", " ");
    }
}
