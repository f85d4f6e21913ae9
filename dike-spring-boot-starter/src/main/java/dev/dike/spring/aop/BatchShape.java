package dev.dike.spring.aop;

import java.lang.reflect.Method;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;

/**
 * How the calls of one {@code @Batch} method become rows of its batcher, how a batch's one call is
 * made, and how its result goes back to each caller. {@link BatchSignature} is list mode (the method
 * itself runs once with the concatenated lists); {@link BulkSignature} is single-item mode (the
 * bean's bulk method runs once with the distinct keys). Both only adapt shapes: queueing, flushing,
 * timeouts and de-duplication are the core {@link dev.dike.batch.Batcher}'s.
 */
interface BatchShape {

    /** @return how the advised method delivers its result to its caller */
    ReturnKind kind();

    /** @return whether equal rows of a batch are sent once ({@link dev.dike.batch.Batcher#submitDistinct}) */
    boolean distinct();

    /** @return one call's batched arguments as columns of rows */
    List<List<Object>> columns(Object[] args);

    /** @return the arguments that are batch keys, in order */
    Object[] keyArguments(Object[] args);

    /**
     * Makes the batch's one call.
     *
     * @param invocation the invocation of one call of the batch (its batch keys are shared by all)
     * @param columns    the batch's rows
     * @return what the called method returned
     * @throws Throwable what it threw
     */
    Object call(MethodInvocation invocation, List<List<Object>> columns) throws Throwable;

    /** @return how the method that {@link #call} calls delivers its result */
    ReturnKind resultKind();

    /** @return the method that {@link #call} calls, for messages */
    Method called(Method advised);

    /**
     * @param result  the called method's result (unwrapped from its future or {@code Mono})
     * @param columns the rows sent
     * @return one result per row sent, in order; {@code null} if the result is {@code null}
     */
    List<Object> resultRows(Object result, List<List<Object>> columns);

    /**
     * @param slice one caller's results
     * @return what the caller receives, in its declared type
     * @throws RuntimeException that fails this caller alone
     */
    Object toDeclared(List<Object> slice);
}
