package dev.dike.batch;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Defaults, validation and value semantics of {@link BatchConfig}. */
class BatchConfigTest {

    @Test
    void defaultsAreTenMillisecondsWaitingTenSecondsProcessingAndNoCap() {
        BatchConfig config = BatchConfig.builder().targetBatchSize(3).build();

        assertThat(config.targetBatchSize()).isEqualTo(3);
        assertThat(config.maxWaitingTime()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.maxProcessingTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxConcurrentBatches()).isEqualTo(BatchConfig.UNLIMITED);
        assertThat(config).hasToString("BatchConfig[targetBatchSize=3, maxWaitingTime=PT0.01S, "
                + "maxProcessingTime=PT10S, maxConcurrentBatches=unlimited]");
    }

    @Test
    void targetBatchSizeIsRequiredAndPositive() {
        assertThatThrownBy(() -> BatchConfig.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid batch targetBatchSize '0': must be greater than 0");
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(-2).build())
                .hasMessage("Invalid batch targetBatchSize '-2': must be greater than 0");
    }

    @Test
    void timesMustBePositive() {
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(1).maxWaitingTime(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid batch maxWaitingTime 'PT0S': a zero wait needs maxConcurrentBatches");
        assertThat(BatchConfig.builder().targetBatchSize(1).maxWaitingTime(Duration.ZERO).maxConcurrentBatches(2).build()
                .maxWaitingTime()).isZero();
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(1).maxProcessingTime(Duration.ofSeconds(-1))
                .build()).hasMessage("Invalid batch maxProcessingTime 'PT-1S': must be positive");
        assertThatThrownBy(() -> BatchConfig.builder().maxWaitingTime(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("maxWaitingTime");
    }

    @Test
    void concurrentBatchesMustBePositive() {
        assertThatThrownBy(() -> BatchConfig.builder().targetBatchSize(1).maxConcurrentBatches(0).build())
                .hasMessage("Invalid batch maxConcurrentBatches '0': must be greater than 0");
        assertThat(BatchConfig.builder().targetBatchSize(1).maxConcurrentBatches(2).build())
                .hasToString("BatchConfig[targetBatchSize=1, maxWaitingTime=PT0.01S, maxProcessingTime=PT10S, "
                        + "maxConcurrentBatches=2]");
    }

    @Test
    void copiesThroughItsBuilderAndComparesByValue() {
        BatchConfig config = BatchConfig.builder().targetBatchSize(4).maxWaitingTime(Duration.ofMillis(3))
                .maxProcessingTime(Duration.ofSeconds(1)).maxConcurrentBatches(2).build();

        BatchConfig copy = config.toBuilder().build();
        BatchConfig other = config.toBuilder().targetBatchSize(5).build();

        assertThat(copy).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(other).isNotEqualTo(config);
        assertThat(other.maxWaitingTime()).isEqualTo(Duration.ofMillis(3));
    }

    @Test
    void tagValuesAreLowerCaseNames() {
        assertThat(FlushReason.SIZE.tagValue()).isEqualTo("size");
        assertThat(FlushReason.CLOSE.tagValue()).isEqualTo("close");
        assertThat(BatchCallOutcome.TIMEOUT.tagValue()).isEqualTo("timeout");
        assertThat(BatchCallOutcome.REJECTED.tagValue()).isEqualTo("rejected");
    }
}
