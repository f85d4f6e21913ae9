package dev.dike.spring.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the dike annotation that governs a method, the same way for the advisors and for the startup
 * check: an annotation on the method wins; otherwise an annotation on the class that declares the
 * method applies if the method is public, not static and not one of {@code Object}'s methods.
 */
final class DikeAnnotations {

    private DikeAnnotations() {
    }

    /**
     * @return the annotation on the method itself (or on a method it overrides), or {@code null}
     */
    static <A extends Annotation> A onMethod(Method method, Class<A> type) {
        return AnnotatedElementUtils.findMergedAnnotation(method, type);
    }

    /**
     * @return the annotation on the class declaring the method (or a superclass of it), or
     *         {@code null}
     */
    static <A extends Annotation> A onDeclaringClass(Method method, Class<A> type) {
        return AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(), type);
    }

    /** @return the annotation that governs the method, or {@code null} if none applies */
    static <A extends Annotation> A find(Method method, Class<A> type) {
        A onMethod = onMethod(method, type);
        if (onMethod != null) {
            return onMethod;
        }
        return coveredByClassAnnotation(method) ? onDeclaringClass(method, type) : null;
    }

    /** @return whether a class-level annotation applies to the method */
    static boolean coveredByClassAnnotation(Method method) {
        int modifiers = method.getModifiers();
        return Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers) && !method.isSynthetic()
                && !method.isBridge() && !ReflectionUtils.isObjectMethod(method)
                && !isObjectMethodOverride(method);
    }

    /** @return why Spring AOP cannot advise the method, or {@code null} if it can */
    static String whyNotAdvisable(Method method) {
        int modifiers = method.getModifiers();
        if (Modifier.isPrivate(modifiers)) {
            return "it is private";
        }
        if (Modifier.isStatic(modifiers)) {
            return "it is static";
        }
        if (Modifier.isFinal(modifiers)) {
            return "it is final";
        }
        return null;
    }

    private static boolean isObjectMethodOverride(Method method) {
        return ReflectionUtils.isEqualsMethod(method) || ReflectionUtils.isHashCodeMethod(method)
                || ReflectionUtils.isToStringMethod(method) || "finalize".equals(method.getName())
                && method.getParameterCount() == 0 || "clone".equals(method.getName()) && method.getParameterCount() == 0;
    }
}
