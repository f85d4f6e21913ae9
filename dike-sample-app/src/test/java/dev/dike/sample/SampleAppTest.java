package dev.dike.sample;

import org.springframework.boot.test.context.SpringBootTest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts the whole sample app on a random port, tuned for tests: a small limit, small batches and
 * a backend that fails often, with retries enough to hide its failures. Every test class that uses
 * it shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "dike.limit.instances.prices.limit=" + SampleAppTest.LIMIT,
        "dike.batch.instances.price-lookups.target-batch-size=" + SampleAppTest.BATCH_SIZE,
        // Long enough for BATCH_SIZE concurrent requests to meet even on a starved machine: batches
        // then flush by size, and the tests' concurrency of BATCH_SIZE never waits for this.
        "dike.batch.instances.price-lookups.max-waiting-time=200ms",
        "dike.batch.instances.price-lookups.max-processing-time=" + SampleAppTest.GENEROUS,
        "dike.retry.instances.inventory.attempts=12",
        "dike.retry.instances.inventory.delay=1ms",
        "dike.retry.instances.inventory.backoff=1",
        "sample.backend.failure-rate=" + SampleAppTest.FAILURE_RATE,
        "sample.backend.workers=64",
        // Retry-After: 1 would make each of the many injected failures wait a second; RetryAfterTest sets it.
        "sample.backend.retry-after=0s",
        "sample.demo.rate=200",
        "sample.demo.duration=500ms",
        "sample.demo.warmup=0s",
        "sample.demo.request-timeout=" + SampleAppTest.GENEROUS,
})
public @interface SampleAppTest {

    /** Far beyond any nominal duration here: shared CI machines can be slow. */
    String GENEROUS = "30s";

    /** The target batch size in tests; tests send this many requests at once to fill batches. */
    int BATCH_SIZE = 10;

    /** The {@code @LimitJobs} limit of {@code GET /prices/{sku}} in tests. */
    int LIMIT = 20;

    /** The share of backend calls that fail in tests; 12 attempts make a failed lookup unlikely (5e-7). */
    String FAILURE_RATE = "0.3";
}
