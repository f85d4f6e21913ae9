package dev.dike.spring.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;

import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Puts one dike interceptor in front of the methods its annotation governs, in the order given by
 * {@code dike.aspect-order.*}. The pointcut is static: Spring evaluates it once per method when it
 * creates a proxy, never per call. Applied by {@link DikeAdvisingPostProcessor}; not a bean, so that
 * no auto-proxy creator applies it a second time.
 */
final class DikeAdvisor extends AbstractPointcutAdvisor {

    private final Class<? extends Annotation> annotation;
    private final transient Pointcut pointcut;
    private final transient DikeInterceptor interceptor;

    DikeAdvisor(Class<? extends Annotation> annotation, DikeInterceptor interceptor, int order) {
        this.annotation = annotation;
        this.pointcut = new AnnotatedMethods(annotation);
        this.interceptor = interceptor;
        setOrder(order);
    }

    /** @return the annotation whose methods this advisor applies to */
    Class<? extends Annotation> annotation() {
        return annotation;
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }

    /** The methods that {@link DikeAnnotations#find} gives the annotation to, as the plans do. */
    private static final class AnnotatedMethods extends StaticMethodMatcherPointcut {

        private final Class<? extends Annotation> annotation;

        AnnotatedMethods(Class<? extends Annotation> annotation) {
            this.annotation = annotation;
        }

        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
            return DikeAnnotations.find(specific, annotation) != null
                    || specific != method && DikeAnnotations.find(method, annotation) != null;
        }

        @Override
        public String toString() {
            return "methods annotated with @" + annotation.getSimpleName();
        }
    }
}
