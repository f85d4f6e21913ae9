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
 * <p><b>Single-item mode</b>: with {@link #bulkMethod()} set, the annotated method takes one item
 * (its first parameter, the key) and returns its value, e.g.
 * {@code Mono<Price> price(String sku)} next to {@code Map<String, Price> prices(Set<String> skus)}:
 * each batch is one call of the bulk method with the batch's distinct keys, and each caller
 * receives the value of its own key. The annotated method's body is never called.
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
     * {@code 10ms}; placeholders accepted. Built-in default {@code 10ms}. {@code 0} (only together
     * with {@link #maxConcurrentBatches()}) sends a batch as soon as a slot is free, so an idle
     * batcher adds no latency, and lets the next batch fill only while every slot is busy.
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
     * keeps filling until a slot frees. Built-in default: unlimited. Required for a
     * {@code maxWaitingTime} of {@code 0}.
     *
     * @return the maximum number of concurrent batches
     */
    int maxConcurrentBatches() default UNSET;

    /**
     * Name of a public method of the same bean that looks many items up at once; setting it puts the
     * annotated method in single-item mode. Default: not set (the annotated method takes and returns
     * lists or arrays).
     *
     * <p>The annotated method's first parameter is the item (the key); further parameters are batch
     * keys, as in list mode. It returns the item's value, plain or in a {@code CompletableFuture},
     * {@code CompletionStage} or {@code Mono}; its body is not called (returning {@code null} is
     * fine). The bulk method takes a {@code Collection}, {@code Set} or {@code List} of the item
     * type, followed by the same batch-key parameters, and returns either a {@code Map} from item to
     * value (a missing item gives an empty {@code Mono} or {@code null}, or fails its callers under
     * {@code dike.batch.instances.<name>.missing-key=fail}) or a {@code List} of values in the order
     * of the items passed; plain or in a {@code CompletableFuture}, {@code CompletionStage} or
     * {@code Mono}. It is called on the target bean, so advice on the bulk method itself does not
     * apply.
     *
     * <p>The bulk method receives each distinct item of a batch once ({@code equals}/{@code hashCode});
     * every caller of that item receives the same value, and {@link #targetBatchSize()} counts
     * distinct items. Mismatched signatures fail at startup.
     *
     * @return the bulk method's name, or {@code ""}
     */
    String bulkMethod() default "";
}
