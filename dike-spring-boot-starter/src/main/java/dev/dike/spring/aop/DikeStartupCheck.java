package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.annotation.LimitJobs;
import dev.dike.annotation.Retry;
import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.autoconfigure.DikeProperties;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Checks every bean for dike annotations once the singletons exist, resolves each annotated
 * method's configuration and creates its instance, so that any invalid annotation, property or
 * signature stops the application at startup rather than failing its first call. Finally rejects
 * {@code dike.<kind>.instances.<name>} keys that no annotated method uses: a typo must not be
 * silently ignored.
 */
final class DikeStartupCheck implements SmartInitializingSingleton {

    private static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(Retry.class, LimitJobs.class,
            Batch.class);

    private final ConfigurableListableBeanFactory beanFactory;
    private final MethodPlans plans;
    private final DikeProperties properties;

    DikeStartupCheck(ConfigurableListableBeanFactory beanFactory, MethodPlans plans, DikeProperties properties) {
        this.beanFactory = beanFactory;
        this.plans = plans;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            Class<?> userClass = userClass(beanName);
            if (userClass != null && AnnotationUtils.isCandidateClass(userClass, ANNOTATIONS)) {
                check(beanName, userClass);
            }
        }
        rejectUnused("dike.retry.instances", properties.getRetry().getInstances(), plans.names(Retry.class), "@Retry");
        rejectUnused("dike.limit.instances", properties.getLimit().getInstances(), plans.names(LimitJobs.class),
                "@LimitJobs");
        rejectUnused("dike.batch.instances", properties.getBatch().getInstances(), plans.names(Batch.class), "@Batch");
    }

    private Class<?> userClass(String beanName) {
        if (beanFactory.containsSingleton(beanName)) {
            Object bean = beanFactory.getSingleton(beanName);
            if (bean != null && !(bean instanceof FactoryBean)) {
                return AopProxyUtils.ultimateTargetClass(bean);
            }
        }
        Class<?> type = beanFactory.getType(beanName, false);
        return type == null ? null : ClassUtils.getUserClass(type);
    }

    private void check(String beanName, Class<?> userClass) {
        List<Method> annotated = new ArrayList<>();
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(userClass, ReflectionUtils.USER_DECLARED_METHODS)) {
            if (ANNOTATIONS.stream().anyMatch(type -> DikeAnnotations.onMethod(method, type) != null)) {
                annotated.add(method);
            } else if (ANNOTATIONS.stream().anyMatch(type -> DikeAnnotations.onDeclaringClass(method, type) != null)
                    && DikeAnnotations.coveredByClassAnnotation(method)) {
                annotated.add(method);
            }
        }
        if (annotated.isEmpty() && ANNOTATIONS.stream().noneMatch(type -> AnnotatedElementUtils.hasAnnotation(userClass, type))) {
            return;
        }
        if (Modifier.isFinal(userClass.getModifiers())) {
            throw new DikeConfigurationException("Dike annotations on bean '" + beanName + "' ("
                    + userClass.getName() + ") cannot take effect: the class is final, and Spring AOP proxies "
                    + "a bean by subclassing it.", "Make the class not final, or remove the annotations.", null);
        }
        plans.resolve(beanName, userClass, annotated);
    }

    private static void rejectUnused(String prefix, Map<String, ?> instances, Set<String> used, String annotation) {
        for (String name : instances.keySet()) {
            if (!used.contains(name)) {
                throw new DikeConfigurationException("The property " + prefix + "[" + name + "] configures an instance "
                        + "that no " + annotation + " method uses. Names in use: " + new TreeSet<>(used) + ".",
                        "Correct the instance name (a name containing dots or capitals needs brackets, e.g. "
                                + prefix + "[OrderClient.fetch].*), or remove the properties.", null);
            }
        }
    }
}
