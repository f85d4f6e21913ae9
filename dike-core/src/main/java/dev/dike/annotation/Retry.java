package dev.dike.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Calls the annotated method again when it fails, with a delay, exponential backoff and a WARN log
 * line per retry.
 *
 * <p>Works on methods returning {@code CompletableFuture}, {@code CompletionStage}, {@code Mono},
 * {@code Flux} or a plain value (including {@code void}). Every attempt invokes the method again, so a
 * {@code Mono} or future that the method builds eagerly is rebuilt for each attempt. Asynchronous
 * delays are scheduled, never slept. The caller receives the original exception of the last attempt.
 *
 * <p>Attributes left at their default are "not set": the value then comes from
 * {@code dike.retry.defaults.*} or the built-in default given on each attribute. Properties under
 * {@code dike.retry.instances.<name>.*} override attributes. On a class, the annotation applies to
 * every public method.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Retry {

    /** Marks an {@code int} attribute as not set. */
    int UNSET = Integer.MIN_VALUE;

    /**
     * Instance name; methods that share a name share one configuration. Accepts {@code ${...}}
     * placeholders. Default: {@code <SimpleClassName>.<methodName>}.
     *
     * @return the instance name
     */
    String name() default "";

    /**
     * Total number of calls including the first; {@code -1} means unlimited. Built-in default 3.
     *
     * @return the number of attempts
     */
    int attempts() default UNSET;

    /**
     * Delay before the first retry, e.g. {@code 10ms}, {@code 2s}, {@code PT0.5S}; placeholders
     * accepted. Built-in default {@code 0ms}.
     *
     * @return the first delay
     */
    String delay() default "";

    /**
     * Factor applied to the delay after each retry; at least 1. Built-in default 1 (constant delay).
     *
     * @return the backoff multiplier
     */
    double backoff() default Double.NaN;

    /**
     * Upper bound of any delay, before jitter; placeholders accepted. Built-in default: no bound.
     *
     * @return the maximum delay
     */
    String maxDelay() default "";

    /**
     * Fraction, between 0 and 1, by which each delay is randomized up or down. Built-in default 0.
     *
     * @return the jitter fraction
     */
    double jitter() default Double.NaN;

    /**
     * Exceptions that are retried (subclasses included). Built-in default {@link Exception}.
     *
     * @return the retried exception types
     */
    Class<? extends Throwable>[] exceptionTypes() default {};

    /**
     * Exceptions that are never retried, even when they match {@link #exceptionTypes()}.
     *
     * @return the ignored exception types
     */
    Class<? extends Throwable>[] ignoredExceptionTypes() default {};

    /**
     * Whether each retry's WARN line carries the stack trace. Built-in default {@code true}; since
     * an annotation cannot tell an explicit {@code true} from the default, only {@code false} here
     * overrides {@code dike.retry.defaults.log-exception-info}.
     *
     * @return whether to log the stack trace
     */
    boolean logExceptionInfo() default true;
}
