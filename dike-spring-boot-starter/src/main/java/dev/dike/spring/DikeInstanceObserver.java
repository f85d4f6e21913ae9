package dev.dike.spring;

import dev.dike.batch.BatchListener;
import dev.dike.batch.Batcher;
import dev.dike.limit.JobLimiter;
import dev.dike.limit.LimitListener;
import dev.dike.retry.Retrier;
import dev.dike.retry.RetryListener;

/**
 * Extension point for beans that watch every dike instance the starter creates, such as the
 * Micrometer binding. Declare an implementation as a bean; the {@link DikeRegistry} asks each one
 * for a listener before it creates an instance, and tells each one once the instance exists.
 */
public interface DikeInstanceObserver {

    /**
     * @param name the retry instance's name
     * @return the listener to attach to it; {@link RetryListener#NONE} by default
     */
    default RetryListener retryListener(String name) {
        return RetryListener.NONE;
    }

    /**
     * @param name the limiter's name
     * @return the listener to attach to it; {@link LimitListener#NONE} by default
     */
    default LimitListener limitListener(String name) {
        return LimitListener.NONE;
    }

    /**
     * @param name the batcher's name
     * @return the listener to attach to it; {@link BatchListener#NONE} by default
     */
    default BatchListener batchListener(String name) {
        return BatchListener.NONE;
    }

    /**
     * @param retrier a retry instance that was just created
     */
    default void retrierCreated(Retrier retrier) {
    }

    /**
     * @param limiter a limiter that was just created
     */
    default void limiterCreated(JobLimiter limiter) {
    }

    /**
     * @param batcher a batcher that was just created
     */
    default void batcherCreated(Batcher<?, ?> batcher) {
    }
}
