package dev.dike.spring.actuate;

import dev.dike.batch.BatchConfig;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.retry.RetryConfig;
import dev.dike.spring.DikeRegistry;
import dev.dike.spring.actuate.DikeEndpoint.BatcherDescriptor;
import dev.dike.spring.actuate.DikeEndpoint.DikeInstances;
import dev.dike.spring.actuate.DikeEndpoint.LimiterDescriptor;
import dev.dike.spring.actuate.DikeEndpoint.RetryConfigDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DikeEndpointTest {

    private final DikeRegistry registry = new DikeRegistry();
    private final DikeEndpoint endpoint = new DikeEndpoint(registry);

    private final JobLimiter orders = registry.limiter("orders", 2, Duration.ofMillis(250));
    private final Batcher<Integer, Integer> ordersBatcher = registry.batcher("orders",
            BatchConfig.builder().targetBatchSize(10).maxWaitingTime(Duration.ofHours(1)).maxConcurrentBatches(3).build(),
            (key, columns) -> CompletableFuture.completedFuture(columns.get(0)));

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    @Test
    void listsEveryInstanceByKindWithItsConfigurationAndLiveState() {
        registry.retrier("payments", RetryConfig.builder().attempts(4).delay(Duration.ofMillis(10)).backoff(2)
                .exceptionTypes(List.of(IllegalStateException.class)).build());
        registry.limiter("search", 5, Duration.ZERO);
        assertThat(orders.tryAcquire()).isTrue();
        ordersBatcher.submit(List.of(1, 2, 3));

        DikeInstances instances = endpoint.instances();

        assertThat(instances.retriers()).containsOnlyKeys("payments");
        RetryConfigDescriptor retry = instances.retriers().get("payments").config();
        assertThat(retry.attempts()).isEqualTo(4);
        assertThat(retry.delay()).isEqualTo("PT0.01S");
        assertThat(retry.backoff()).isEqualTo(2.0);
        assertThat(retry.maxDelay()).isNull();
        assertThat(retry.exceptionTypes()).containsExactly("java.lang.IllegalStateException");
        assertThat(instances.limiters()).containsOnlyKeys("orders", "search");
        assertThat(instances.limiters().get("orders"))
                .isEqualTo(new LimiterDescriptor(2, "PT0.25S", 1, 1, 0, 1, 0, null));
        assertThat(instances.batchers()).containsOnlyKeys("orders");
        BatcherDescriptor batcher = instances.batchers().get("orders");
        assertThat(batcher.config().targetBatchSize()).isEqualTo(10);
        assertThat(batcher.config().maxWaitingTime()).isEqualTo("PT1H");
        assertThat(batcher.config().maxConcurrentBatches()).isEqualTo(3);
        assertThat(batcher.queuedCalls()).isEqualTo(1);
        assertThat(batcher.queuedRows()).isEqualTo(3);
        assertThat(batcher.batchesInFlight()).isZero();
        orders.release();
    }

    @Test
    void showsTheServerPushbackSettingsOfEachRetrier() {
        registry.retrier("payments", RetryConfig.defaults());
        registry.retrier("search", RetryConfig.builder().maxRetryAfter(Duration.ofSeconds(30)).build());
        registry.retrier("deaf", RetryConfig.builder().respectRetryAfter(false).build());

        DikeInstances instances = endpoint.instances();

        RetryConfigDescriptor payments = instances.retriers().get("payments").config();
        assertThat(payments.respectRetryAfter()).isTrue();
        assertThat(payments.maxRetryAfter()).isNull();
        RetryConfigDescriptor search = instances.retriers().get("search").config();
        assertThat(search.respectRetryAfter()).isTrue();
        assertThat(search.maxRetryAfter()).isEqualTo("PT30S");
        assertThat(instances.retriers().get("deaf").config().respectRetryAfter()).isFalse();
    }

    @Test
    void showsUnlimitedValuesAsNull() {
        registry.retrier("forever", RetryConfig.builder().attempts(RetryConfig.UNLIMITED_ATTEMPTS).build());
        registry.batcher("wide", BatchConfig.builder().targetBatchSize(1).build(),
                (key, columns) -> CompletableFuture.completedFuture(columns.get(0)));

        DikeInstances instances = endpoint.instances();

        assertThat(instances.retriers().get("forever").config().attempts()).isNull();
        assertThat(instances.batchers().get("wide").config().maxConcurrentBatches()).isNull();
    }

    @Test
    void showsEveryKindOfOneName() {
        registry.retrier("payments", RetryConfig.defaults());

        DikeInstances one = endpoint.instance("orders");

        assertThat(one).isNotNull();
        assertThat(one.retriers()).isEmpty();
        assertThat(one.limiters()).containsOnlyKeys("orders");
        assertThat(one.batchers()).containsOnlyKeys("orders");
    }

    @Test
    void answersNullForAnUnknownName() {
        assertThat(endpoint.instance("nope")).isNull();
    }

    @Test
    void changesALimitersLimit() {
        DikeInstances after = endpoint.configure("orders", 7, null, null);

        assertThat(orders.limit()).isEqualTo(7);
        assertThat(after.limiters().get("orders").limit()).isEqualTo(7);
        assertThat(after.limiters().get("orders").available()).isEqualTo(7);
    }

    @Test
    void changesABatchersTargetSizeAndWaitingTime() {
        DikeInstances after = endpoint.configure("orders", null, 25, "40ms");

        assertThat(ordersBatcher.config().targetBatchSize()).isEqualTo(25);
        assertThat(ordersBatcher.config().maxWaitingTime()).isEqualTo(Duration.ofMillis(40));
        assertThat(after.batchers().get("orders").config().maxWaitingTime()).isEqualTo("PT0.04S");
        assertThat(endpoint.configure("orders", null, null, "PT2S").batchers().get("orders").config().maxWaitingTime())
                .isEqualTo("PT2S");
    }

    @Test
    void rejectsBadValuesNamingThemAndChangesNothing() {
        assertInvalid(() -> endpoint.configure("orders", -1, null, null),
                "Invalid limit '-1' for limiter 'orders': must be at least 0");
        assertInvalid(() -> endpoint.configure("orders", 5, 0, null),
                "Invalid targetBatchSize '0' for batcher 'orders': must be greater than 0");
        assertInvalid(() -> endpoint.configure("orders", 5, 20, "soon"),
                "Invalid maxWaitingTime 'soon' for batcher 'orders': not a duration such as 50ms or PT0.05S");
        assertInvalid(() -> endpoint.configure("orders", null, null, "0s"),
                "Invalid maxWaitingTime '0s' for batcher 'orders': must be positive");
        assertInvalid(() -> endpoint.configure("orders", null, null, null),
                "Nothing to change for dike instance 'orders': give limit, targetBatchSize and/or maxWaitingTime");

        assertThat(orders.limit()).isEqualTo(2);
        assertThat(ordersBatcher.config().targetBatchSize()).isEqualTo(10);
        assertThat(ordersBatcher.config().maxWaitingTime()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void rejectsValuesForAKindTheNameDoesNotHave() {
        registry.limiter("search", 5, Duration.ZERO);
        registry.retrier("payments", RetryConfig.defaults());

        assertInvalid(() -> endpoint.configure("search", null, 5, null),
                "Cannot set targetBatchSize: dike instance 'search' has no batcher");
        assertInvalid(() -> endpoint.configure("payments", 3, null, null),
                "Cannot set limit: dike instance 'payments' has no limiter");
        assertInvalid(() -> endpoint.configure("nope", 3, null, null), "No dike instance named 'nope'");
    }

    @Test
    void serializesToPlainJsonWithJackson3() {
        registry.retrier("payments", RetryConfig.builder().maxDelay(Duration.ofSeconds(1)).build());

        String json = JsonMapper.builder().build().writeValueAsString(endpoint.instances());

        assertThat(json)
                .contains("\"limiters\":{\"orders\":{\"limit\":2,\"maxWait\":\"PT0.25S\",\"inFlight\":0")
                .contains("\"maxDelay\":\"PT1S\"")
                .contains("\"exceptionTypes\":[\"java.lang.Exception\"]")
                .contains("\"config\":{\"targetBatchSize\":10,\"maxWaitingTime\":\"PT1H\"");
    }

    private static void assertInvalid(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOf(InvalidEndpointRequestException.class)
                .hasMessage(message)
                .extracting(ex -> ((InvalidEndpointRequestException) ex).getReason()).isEqualTo(message);
    }
}
