package dev.dike.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Merges concurrent calls of the annotated method into one call with the concatenated inputs, and
 * gives each caller its own slice of the result.
 *
 * <p>Every {@code List} or array parameter is batched: the method runs once with each such
 * argument concatenated across the batch's calls in arrival order, and must return a {@code List}
 * or array (or a future or {@code Mono} of one) whose element {@code i} belongs to input row
 * {@code i}. Other parameters are batch keys: only calls with equal keys share a batch.
 *
 * <p>Example: with {@code targetBatchSize = 3}, the calls {@code add([0],[1])},
 * {@code add([1],[1])} and {@code add([2,3],[1,1])} become one call {@code add([0,1,2,3],[1,1,1,1])}
 * and the callers receive {@code [1]}, {@code [2]} and {@code [3,4]}.
 *
 * <p>Attributes left at their default are "not set": the value then comes from
 * {@code dike.batch.defaults.*} or the built-in default given on each attribute. Properties under
 * {@code dike.batch.instances.<name>.*} override attributes. Methods that share a name share one
 * batch queue.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Batch {

    /** Marks an {@code int} attribute as not set. */
    int UNSET = Integer.MIN_VALUE;

    /**
     * Instance name; methods that share a name share one batch queue. Accepts {@code ${...}}
     * placeholders. Default: {@code <SimpleClassName>.<methodName>}.
     *
     * @return the instance name
     */
    String name() default "";

    /**
     * Number of rows at which a batch is flushed at once; greater than 0. Required here or in
     * {@code dike.batch.(defaults|instances.<name>).target-batch-size}. A caller is never split, so
     * a batch may exceed the target.
     *
     * @return the target batch size
     */
    int targetBatchSize() default UNSET;

    /**
     * How long after its first call a batch is flushed if it has not reached the target, e.g.
     * {@code 10ms}; greater than 0; placeholders accepted. Built-in default {@code 10ms}.
     *
     * @return the maximum waiting time
     */
    String maxWaitingTime() default "";

    /**
     * How long one batch may run before every caller of it fails with a
     * {@link java.util.concurrent.TimeoutException}; placeholders accepted. Built-in default
     * {@code 10s}.
     *
     * @return the maximum processing time
     */
    String maxProcessingTime() default "";

    /**
     * Maximum number of batches of this instance running at once; when reached, the next batch
     * keeps filling until a slot frees. Built-in default: unlimited.
     *
     * @return the maximum number of concurrent batches
     */
    int maxConcurrentBatches() default UNSET;
}
