package dev.dike.spring.aop;

import dev.dike.batch.BatchOperation;
import dev.dike.batch.Batcher;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.aopalliance.intercept.MethodInvocation;

/**
 * How one {@code @Batch} method is called: each call is submitted to the batcher under a key made of
 * the target bean, the method and the non-batched arguments, and receives its slice of the batch's
 * call's result in the declared shape. The {@link BatchShape} says what the rows are and which call
 * a batch makes (the method itself in list mode, the bean's bulk method in single-item mode).
 */
final class BatchPlan {

    /**
     * The operation of every batcher the interceptor creates: each batch runs its own method, on the
     * caller's thread when the batch is that caller alone and {@link #mayRunOnCaller} allows it.
     */
    static final BatchOperation<Object, Object> OPERATION = new BatchOperation<>() {
        @Override
        public CompletionStage<List<Object>> execute(Object key, List<List<Object>> columns) throws Exception {
            return ((Key) key).plan().execute((Key) key, columns);
        }

        @Override
        public boolean mayRunOnSubmitter(Object key) {
            return ((Key) key).plan().mayRunOnCaller;
        }
    };

    private final Batcher<Object, Object> batcher;
    private final BatchShape signature;
    private final ReactiveAdapter reactive;
    /**
     * Whether a batch of one call may call its method on that caller's thread: unless a caller that
     * expects not to be blocked (a future or {@code Mono}) would run a bulk method that returns a plain
     * value (so may block). A list method is the caller's own method, which it would run on its thread
     * without batching; a plain caller waits for the result on its thread anyway; a bulk method that
     * returns a future or {@code Mono} declares that it does not block.
     */
    private final boolean mayRunOnCaller;

    BatchPlan(Batcher<Object, Object> batcher, BatchShape signature, ReactiveAdapter reactive) {
        this.batcher = batcher;
        this.signature = signature;
        this.reactive = reactive;
        this.mayRunOnCaller = signature.kind() == ReturnKind.PLAIN || signature.resultKind() != ReturnKind.PLAIN;
    }

    Batcher<Object, Object> batcher() {
        return batcher;
    }

    Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] args = invocation.getArguments();
        Key key = new Key(invocation.getThis(), invocation.getMethod(), signature.keyArguments(args), invocation, this);
        List<List<Object>> columns = signature.columns(args);
        return switch (signature.kind()) {
            case PLAIN -> signature.toDeclared(Invocations.await(submit(key, columns)));
            case FUTURE -> future(submit(key, columns));
            case MONO -> reactive.batchCall(() -> submit(key, columns), signature::toDeclared);
            case FLUX -> throw new IllegalStateException("@Batch does not support Flux");
        };
    }

    private CompletableFuture<List<Object>> submit(Key key, List<List<Object>> columns) {
        return signature.distinct() ? batcher.submitDistinct(key, columns) : batcher.submitKeyed(key, columns);
    }

    private Object future(CompletableFuture<List<Object>> slice) {
        CompletableFuture<Object> declared = new CompletableFuture<>();
        slice.whenComplete((rows, error) -> {
            if (error != null) {
                declared.completeExceptionally(Invocations.unwrap(error));
            } else {
                try {
                    declared.complete(signature.toDeclared(rows));
                } catch (RuntimeException refused) { // a missing key under missing-key=fail: this caller alone
                    declared.completeExceptionally(refused);
                }
            }
        });
        // A caller that gives up before its batch starts leaves the batch.
        declared.whenComplete((value, error) -> {
            if (declared.isCancelled()) {
                slice.cancel(false);
            }
        });
        return declared;
    }

    /** Makes the one call of a batch, with the invocation of one of its calls (whose batch keys all share). */
    CompletionStage<List<Object>> execute(Key key, List<List<Object>> columns) throws Exception {
        Object result = Invocations.proceed(() -> signature.call(key.invocation, columns));
        Method called = signature.called(key.method);
        return switch (signature.resultKind()) {
            case PLAIN -> CompletableFuture.completedFuture(signature.resultRows(result, columns));
            case FUTURE -> result == null ? CompletableFuture.failedFuture(Invocations.returnedNull(called))
                    : Invocations.usable((CompletionStage<?>) result).thenApply(rows -> signature.resultRows(rows, columns));
            case MONO -> result == null ? CompletableFuture.failedFuture(Invocations.returnedNull(called))
                    : reactive.toStage(result).thenApply(rows -> signature.resultRows(rows, columns));
            case FLUX -> throw new IllegalStateException("@Batch does not support Flux");
        };
    }

    /**
     * The batch key of one call: calls merge only when they go to the same target object and method
     * with equal non-batched arguments. The invocation and plan ride along to run the merged call;
     * they take no part in equality.
     */
    static final class Key {

        private final Object target;
        private final Method method;
        private final Object[] keyArguments;
        private final MethodInvocation invocation;
        private final BatchPlan plan;

        Key(Object target, Method method, Object[] keyArguments, MethodInvocation invocation, BatchPlan plan) {
            this.target = target;
            this.method = method;
            this.keyArguments = keyArguments;
            this.invocation = invocation;
            this.plan = plan;
        }

        BatchPlan plan() {
            return plan;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key that && target == that.target && method.equals(that.method)
                    && Arrays.equals(keyArguments, that.keyArguments);
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(target) * 31 + method.hashCode()) * 31 + Arrays.hashCode(keyArguments);
        }

        @Override
        public String toString() {
            return method.getDeclaringClass().getSimpleName() + "." + method.getName() + Arrays.toString(keyArguments);
        }
    }
}
