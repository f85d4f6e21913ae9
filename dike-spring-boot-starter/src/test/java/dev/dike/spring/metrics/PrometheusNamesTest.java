package dev.dike.spring.metrics;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.batch.FlushReason;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.RetryOutcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The Prometheus series names that {@code docs/metrics.md} uses in its queries. */
class PrometheusNamesTest {

    @Test
    void exposesTheSeriesTheDocumentationQueries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerDikeObserver observer = new MicrometerDikeObserver(registry);
        observer.retryListener("payments").onCompleted("payments", RetryOutcome.SUCCESS_WITH_RETRY, 2, null);
        observer.limitListener("orders").onPermitted("orders", 1_000);
        observer.limiterCreated(JobLimiter.of("orders", 20));
        observer.batchListener("lookup").onBatchStarted("lookup", FlushReason.SIZE, 8, 2, 1_000);
        observer.batcherCreated(Batcher.<Integer, Integer>builder("lookup",
                        (key, columns) -> CompletableFuture.completedFuture(columns.get(0)))
                .config(BatchConfig.builder().targetBatchSize(10).build()).build());

        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "dike_retry_calls_total{name=\"payments\",outcome=\"success_with_retry\"} 1.0",
                "dike_retry_attempts_total{name=\"payments\"} 0.0",
                "dike_limit_calls_total{name=\"orders\",outcome=\"permitted\",scope=\"local\"} 1.0",
                "dike_limit_calls_total{name=\"orders\",outcome=\"rejected\",scope=\"local\"} 0.0",
                "dike_limit_wait_seconds_count{name=\"orders\",outcome=\"permitted\",scope=\"local\"} 1",
                "dike_limit_wait_seconds_sum{name=\"orders\",outcome=\"permitted\",scope=\"local\"} 1.0E-6",
                "dike_limit_limit_calls{name=\"orders\",scope=\"local\"} 20.0",
                "dike_limit_active_calls{name=\"orders\",scope=\"local\"}",
                "dike_limit_waiting_calls{name=\"orders\",scope=\"local\"}",
                "dike_batch_size_rows_count{name=\"lookup\"} 1",
                "dike_batch_size_rows_sum{name=\"lookup\"} 8.0",
                "dike_batch_flushes_total{name=\"lookup\",reason=\"size\"} 1.0",
                "dike_batch_wait_seconds_count{name=\"lookup\"} 1",
                "dike_batch_processing_seconds_count{name=\"lookup\"} 0",
                "dike_batch_calls_total{name=\"lookup\",outcome=\"success\"} 0.0",
                "dike_batch_queued_rows{name=\"lookup\"}");
    }
}
