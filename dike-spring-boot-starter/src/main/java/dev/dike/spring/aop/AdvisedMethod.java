package dev.dike.spring.aop;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A method of a bean that carries a dike annotation, for naming instances and for error messages.
 *
 * @param beanName    the bean's name, or {@code null} when only its class is known
 * @param targetClass the bean's user class (never a CGLIB proxy class)
 * @param method      the method, as declared
 */
record AdvisedMethod(String beanName, Class<?> targetClass, Method method) {

    /** @return the default instance name, {@code <SimpleClassName>.<methodName>} of the user class */
    String defaultName() {
        return targetClass.getSimpleName() + "." + method.getName();
    }

    /** @return e.g. {@code bean 'orderClient' method OrderClient.fetch(String, int)} */
    String describe() {
        String params = Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", "));
        String signature = targetClass.getSimpleName() + "." + method.getName() + "(" + params + ")";
        return (beanName != null ? "bean '" + beanName + "' " : "") + "method " + signature;
    }
}
