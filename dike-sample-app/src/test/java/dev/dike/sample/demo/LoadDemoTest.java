package dev.dike.sample.demo;

import dev.dike.sample.SampleAppTest;
import dev.dike.sample.backend.BackendProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load demo against the running app, one comparison per test, shortened to small rates and
 * phases of 0.5 to 1 s. The app runs with the test settings of {@link SampleAppTest}: a limit of 20,
 * 12 attempts 1 ms apart, 30 % of backend calls failing.
 */
@SampleAppTest
class LoadDemoTest {

    private static final Duration HALF_SECOND = Duration.ofMillis(500);

    @Autowired
    LoadDemo demo;

    @Autowired
    ApplicationContext context;

    @Autowired
    ConfigurableEnvironment environment;

    @Autowired
    BackendProperties backendSettings;

    @Test
    void batchingComparisonRunsBothPhasesAndPrintsTheSummary() throws Exception {
        String output = run(settings(List.of("batching")));

        assertThat(output).contains("batching on", "batching off", "@LimitJobs prices", "@Batch     price-lookups",
                "@Retry     inventory", "latency p99 (ms)");
        // 200 requests/s for 500 ms, exactly, in each phase
        assertThat(cells(output, "requests sent")).containsExactly(100.0, 100.0);
        double[] succeeded = cells(output, "succeeded \\(200\\)");
        assertThat(succeeded[0]).as("succeeded, batching on").isPositive();
        assertThat(succeeded[1]).as("succeeded, batching off").isPositive();
        double[] calls = cells(output, "backend calls");
        assertThat(calls[0]).as("batched backend calls").isLessThan(calls[1]);
    }

    /**
     * The backend goes from 8 workers of 100 ms (80 calls/s) to 4 under 120 requests/s: the fixed
     * limit stays at 20 and lets a queue build at the backend; the adaptive limit (starting from the
     * same 20) comes down to about the workers' count and halves with them, and the latency with it
     * stays near the backend's own. The calls are slow so that the machine's own delays (a busy CI
     * machine's scheduling) stay small beside the backend's.
     */
    @Test
    void capacityDropLowersTheAdaptiveLimitAndNotTheFixedOne() throws Exception {
        DemoProperties settings = new DemoProperties(200, Duration.ofSeconds(2), Duration.ofSeconds(1), 1000, 2000,
                Duration.ofSeconds(30), List.of("capacity"), 120, 8, 200, Duration.ofSeconds(1));
        Duration latency = backendSettings.getLatency();
        backendSettings.setLatency(Duration.ofMillis(100));
        String output;
        try {
            output = run(settings);
        } finally {
            backendSettings.setLatency(latency);
        }

        assertThat(output).contains("fixed: @LimitJobs prices limit 20 in flight",
                "adaptive: @LimitJobs prices adaptive limit, starts at 20",
                "fixed, 8 workers  ", "fixed, 4 workers  ", "adaptive, 8 workers  ", "adaptive, 4 workers");
        double[] mean = cells(output, "limit in force: mean");
        assertThat(mean[0]).as("fixed limit, 8 workers").isEqualTo(20);
        assertThat(mean[1]).as("fixed limit, 4 workers").isEqualTo(20);
        assertThat(mean[2]).as("adaptive limit, 8 workers: not the fixed one").isNotEqualTo(20);
        double[] queueMillis = cells(output, "backend queue wait, mean \\(ms\\)");
        // A machine too busy to send 120 requests/s never overloads the backend: then the limit has
        // nothing to follow, and only the above is checked. A machine that keeps up queues the fixed
        // limit's 20 calls behind 4 workers for about 400 ms each.
        if (queueMillis[1] >= 50) {
            // The mean includes the descent from 20, slow on a busy machine: the end is where it got to.
            double[] end = cells(output, "limit in force: at the end");
            assertThat(end[2]).as("adaptive limit at the end with 8 workers, below the fixed one").isLessThan(15);
            assertThat(mean[3]).as("adaptive limit with 4 workers, below its value with 8").isLessThan(0.8 * mean[2]);
            double[] p50 = cells(output, "latency p50 \\(ms\\)");
            assertThat(p50[3]).as("p50 with 4 workers, adaptive below fixed").isLessThan(p50[1] / 2);
        }
    }

    /**
     * While the backend fails every call, each call through {@code @Retry} makes all its 12 attempts
     * without a budget; with the default budget, the reserve of 100 retries runs out and later calls
     * are not retried.
     */
    @Test
    void outageCostsTheBackendFewerCallsPerRequestWithTheRetryBudget() throws Exception {
        DemoProperties settings = new DemoProperties(200, HALF_SECOND, Duration.ZERO, 1000, 2000,
                Duration.ofSeconds(30), List.of("outage"), 300, 4, 200, Duration.ofSeconds(1));

        String output = run(settings);

        assertThat(output).contains("no budget: @Retry inventory 12 attempts", "no retry budget",
                "budget: @Retry inventory 12 attempts", "retry budget 10% + 10/s over 10s");
        double[] perRetryCall = cells(output, "backend calls per @Retry call");
        assertThat(perRetryCall[0]).as("outage, no budget: every attempt").isGreaterThan(10);
        assertThat(perRetryCall[2]).as("outage, budget").isLessThan(perRetryCall[0]);
        double[] refused = cells(output, "retries refused \\(budget_exhausted\\)");
        assertThat(refused[0]).as("no budget").isZero();
        assertThat(refused[2]).as("budget, outage").isPositive();
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

    private String run(DemoProperties settings) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        new LoadDemo(settings, context, environment).run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(output); // in the test report, to read when an assertion fails
        return output;
    }

    /** The test's demo settings (200 requests/s, 500 ms phases, no warm-up), running only these phases. */
    private static DemoProperties settings(List<String> phases) {
        return new DemoProperties(200, HALF_SECOND, Duration.ZERO, 1000, 2000, Duration.ofSeconds(30), phases,
                300, 4, 200, Duration.ofSeconds(1));
    }

    /** @return the numbers of a summary row (a regular expression), without thousands separators */
    private static double[] cells(String output, String name) {
        Matcher matcher = Pattern.compile("^" + name + "\\s{2,}(.*)$", Pattern.MULTILINE).matcher(output);
        assertThat(matcher.find()).as("row %s in%n%s", name, output).isTrue();
        return Arrays.stream(matcher.group(1).trim().replace(",", "").split("\\s+"))
                .mapToDouble(Double::parseDouble).toArray();
    }
}
