package dev.dike.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Allows at most {@link #limit()} calls of the annotated method in flight at once; the next call is
 * rejected at once with {@link dev.dike.limit.TooManyCallsException}, so that a service sheds load
 * instead of queueing it.
 *
 * <p>A call is in flight until its result completes: the returned future completes, or the returned
 * {@code Mono}/{@code Flux} terminates or is cancelled; not merely until the method returns. For a
 * {@code Mono}/{@code Flux} the permit is taken at subscription.
 *
 * <p>Attributes left at their default are "not set": the value then comes from
 * {@code dike.limit.defaults.*}. Properties under {@code dike.limit.instances.<name>.*} override
 * attributes. Methods that share a name share one limiter.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface LimitJobs {

    /** Marks an {@code int} attribute as not set. */
    int UNSET = Integer.MIN_VALUE;

    /**
     * Instance name; methods that share a name share one limiter. Accepts {@code ${...}}
     * placeholders. Default: {@code <SimpleClassName>.<methodName>}.
     *
     * @return the instance name
     */
    String name() default "";

    /**
     * Maximum number of calls in flight, at least 0 (0 rejects every call). Required here or in
     * {@code dike.limit.(defaults|instances.<name>).limit}.
     *
     * @return the limit
     */
    int limit() default UNSET;

    /**
     * How long a call may wait, in FIFO order, for a permit before it is rejected, e.g.
     * {@code 50ms}; placeholders accepted. Asynchronous callers wait without blocking a thread.
     * Built-in default {@code 0}: reject at once.
     *
     * @return the maximum wait
     */
    String maxWait() default "";
}
