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
 * the target bean, the method and the non-batched arguments, and receives its slice of the merged
 * call's result in the declared shape.
 */
final class BatchPlan {

    /** The operation of every batcher the interceptor creates: each batch runs its own method. */
    static final BatchOperation<Object, Object> OPERATION = (key, columns) -> ((Key) key).plan().execute((Key) key, columns);

    private final Batcher<Object, Object> batcher;
    private final BatchSignature signature;
    private final ReactiveAdapter reactive;

    BatchPlan(Batcher<Object, Object> batcher, BatchSignature signature, ReactiveAdapter reactive) {
        this.batcher = batcher;
        this.signature = signature;
        this.reactive = reactive;
    }

    Batcher<Object, Object> batcher() {
        return batcher;
    }

    Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] args = invocation.getArguments();
        Key key = new Key(invocation.getThis(), invocation.getMethod(), signature.keyArguments(args), invocation, this);
        List<List<Object>> columns = signature.columns(args);
        return switch (signature.kind()) {
            case PLAIN -> signature.toDeclared(Invocations.await(batcher.submitKeyed(key, columns)));
            case FUTURE -> future(batcher.submitKeyed(key, columns));
            case MONO -> reactive.batchCall(() -> batcher.submitKeyed(key, columns), signature::toDeclared);
            case FLUX -> throw new IllegalStateException("@Batch does not support Flux");
        };
    }

    private Object future(CompletableFuture<List<Object>> slice) {
        CompletableFuture<Object> declared = new CompletableFuture<>();
        slice.whenComplete((rows, error) -> {
            if (error != null) {
                declared.completeExceptionally(Invocations.unwrap(error));
            } else {
                declared.complete(signature.toDeclared(rows));
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

    /** Runs the merged call of one batch through a copy of the invocation of one of its calls. */
    CompletionStage<List<Object>> execute(Key key, List<List<Object>> columns) throws Exception {
        Object[] merged = signature.mergedArguments(key.invocation.getArguments(), columns);
        Object result = Invocations.proceed(() -> Invocations.proceedWith(key.invocation, merged));
        return switch (signature.kind()) {
            case PLAIN -> CompletableFuture.completedFuture(signature.resultRows(result));
            case FUTURE -> result == null ? CompletableFuture.failedFuture(Invocations.returnedNull(key.method))
                    : Invocations.usable((CompletionStage<?>) result).thenApply(signature::resultRows);
            case MONO -> result == null ? CompletableFuture.failedFuture(Invocations.returnedNull(key.method))
                    : reactive.toStage(result).thenApply(signature::resultRows);
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
