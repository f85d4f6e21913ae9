package dev.dike.spring.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * How an advised method delivers its result, which decides how an interceptor wraps it: a plain value
 * (including {@code void}) is awaited on the caller's thread, a future or publisher is wrapped
 * without blocking.
 */
enum ReturnKind {

    /** A plain value or {@code void}. */
    PLAIN,

    /** {@code CompletableFuture} or {@code CompletionStage}. */
    FUTURE,

    /** Reactor {@code Mono}. */
    MONO,

    /** Reactor {@code Flux}. */
    FLUX;

    private static final String MONO_CLASS = "reactor.core.publisher.Mono";
    private static final String FLUX_CLASS = "reactor.core.publisher.Flux";

    /**
     * @param type a method's declared return type
     * @return its kind, or {@code null} if no interceptor can honour it: a {@code Future} that is no
     *         {@code CompletionStage}, a {@code CompletionStage} type other than
     *         {@code CompletableFuture}/{@code CompletionStage}, or a reactive publisher other than
     *         {@code Mono}/{@code Flux} (their completion could not be observed, so a permit would be
     *         released or a failure missed too early)
     */
    static ReturnKind of(Class<?> type) {
        if (type == CompletableFuture.class || type == CompletionStage.class) {
            return FUTURE;
        }
        if (type.getName().equals(MONO_CLASS)) {
            return MONO;
        }
        if (type.getName().equals(FLUX_CLASS)) {
            return FLUX;
        }
        if (Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type)
                || isPublisher(type)) {
            return null;
        }
        return PLAIN;
    }

    private static boolean isPublisher(Class<?> type) {
        if (type == null || type == Object.class) {
            return false;
        }
        if (type.getName().equals("org.reactivestreams.Publisher")
                || type.getName().equals("java.util.concurrent.Flow$Publisher")) {
            return true;
        }
        for (Class<?> implemented : type.getInterfaces()) {
            if (isPublisher(implemented)) {
                return true;
            }
        }
        return isPublisher(type.getSuperclass());
    }
}
