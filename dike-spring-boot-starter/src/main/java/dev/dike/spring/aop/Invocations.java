package dev.dike.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;

/** Helpers that call an advised method and hand its outcome to the core primitives unchanged. */
final class Invocations {

    private Invocations() {
    }

    /**
     * Proceeds, letting exceptions and errors through as they are; for {@code Callable}-style APIs.
     */
    static Object proceed(MethodCall call) throws Exception {
        try {
            return call.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    /**
     * A call of the rest of the interceptor chain and the method that may run any number of times,
     * on any thread, also after the interceptor returned: each run proceeds on a fresh copy of the
     * invocation, whose position in the chain is its own.
     */
    static MethodCall again(MethodInvocation invocation) {
        ProxyMethodInvocation proxied = proxied(invocation);
        return () -> proxied.invocableClone().proceed();
    }

    /** The same as {@link #again}, with other arguments. */
    static Object proceedWith(MethodInvocation invocation, Object[] arguments) throws Throwable {
        return proxied(invocation).invocableClone(arguments).proceed();
    }

    private static ProxyMethodInvocation proxied(MethodInvocation invocation) {
        if (invocation instanceof ProxyMethodInvocation proxied) {
            return proxied;
        }
        throw new IllegalStateException("dike advice must run in a Spring AOP proxy, which can proceed more than once; "
                + "got a " + invocation.getClass().getName() + " for " + invocation.getMethod());
    }

    /**
     * Proceeds with an asynchronous method: a synchronous throw, or a {@code null} future, becomes a
     * failed stage, so that the primitives see every failure in one place.
     */
    static CompletionStage<Object> proceedAsync(MethodCall call, Method method) {
        try {
            @SuppressWarnings("unchecked")
            CompletionStage<Object> stage = (CompletionStage<Object>) call.proceed();
            if (stage == null) {
                return CompletableFuture.failedFuture(returnedNull(method));
            }
            return usable(stage);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    /**
     * Replaces a minimal stage ({@code CompletableFuture.completedStage}, {@code failedStage},
     * {@code minimalCompletionStage}) by a full future with the same outcome: it is a
     * {@code CompletableFuture} whose query methods such as {@code isDone} throw
     * {@code UnsupportedOperationException}. Any other future is returned as it is, so that
     * cancelling it still reaches the method's own future.
     */
    static <T> CompletionStage<T> usable(CompletionStage<T> stage) {
        return stage instanceof CompletableFuture ? stage.toCompletableFuture() : stage;
    }

    static NullPointerException returnedNull(Method method) {
        return new NullPointerException(method.getDeclaringClass().getSimpleName() + "." + method.getName()
                + "(..) returned null instead of a future or publisher");
    }

    /** Strips the wrappers that futures add, to give callers the original exception. */
    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Waits on the caller's thread for a synchronous method's result; interruption cancels the
     * future and re-asserts the thread's interrupt flag.
     */
    static <T> T await(CompletableFuture<T> future) throws Throwable {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw e;
        }
    }
}
