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
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.aop.Advisor;
import org.springframework.aop.TargetSource;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Checks every bean for dike annotations once the singletons exist, resolves each annotated
 * method's configuration and creates its instance, so that any invalid annotation, property or
 * signature stops the application at startup rather than failing its first call. Then checks that
 * every annotated method of every singleton already created is advised, as the object that callers
 * get: a bean created before {@link DikeAdvisingPostProcessor} could advise it, or a JDK proxy whose
 * interfaces do not declare the method, would otherwise ignore its annotations silently. Finally
 * rejects keys under {@code dike} that no setting binds ({@link PropertyKeyCheck}), invalid values
 * under {@code dike.<kind>.defaults} even where every instance overrides them, and
 * {@code dike.<kind>.instances.<name>} keys that no annotated method uses: a typo must not be
 * silently ignored. Every problem found is reported, together, in one exception.
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
        ConfigurationProblems problems = new ConfigurationProblems();
        PropertyKeyCheck.of(beanFactory).check(beanFactory.getBean(Environment.class), problems::add);
        List<String> unadvised = new ArrayList<>();
        Set<String> actions = new LinkedHashSet<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            Class<?> userClass = userClass(beanName);
            if (userClass != null && AnnotationUtils.isCandidateClass(userClass, ANNOTATIONS)) {
                problems.check(() -> {
                    List<Method> annotated = check(beanName, userClass, problems);
                    Object bean = createdSingleton(beanName);
                    if (bean != null) {
                        findUnadvised(beanName, userClass, bean, annotated, unadvised, actions);
                    }
                });
            }
        }
        // After the methods: a default they found invalid is already reported, naming a method that uses it.
        plans.checkDefaults(problems::add);
        if (!unadvised.isEmpty()) {
            problems.add(new DikeConfigurationException("Dike annotations that would never run, because calls through "
                    + "the bean do not reach dike's advice: " + String.join("; ", unadvised) + ".",
                    String.join(" ", actions), null));
        }
        rejectUnused("dike.retry.instances", properties.getRetry().getInstances(), plans.names(Retry.class), "@Retry",
                problems);
        rejectUnused("dike.limit.instances", properties.getLimit().getInstances(), plans.names(LimitJobs.class),
                "@LimitJobs", problems);
        rejectUnused("dike.batch.instances", properties.getBatch().getInstances(), plans.names(Batch.class), "@Batch",
                problems);
        problems.throwIfAny();
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

    /** @return the bean's methods that carry (or are covered by) a dike annotation */
    private List<Method> check(String beanName, Class<?> userClass, ConfigurationProblems problems) {
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
            return annotated;
        }
        if (Modifier.isFinal(userClass.getModifiers())) {
            throw new DikeConfigurationException("Dike annotations on bean '" + beanName + "' ("
                    + userClass.getName() + ") cannot take effect: the class is final, and Spring AOP proxies "
                    + "a bean by subclassing it.", "Make the class not final, or remove the annotations.", null);
        }
        for (Method method : annotated) {
            problems.check(() -> plans.resolve(beanName, userClass, List.of(method)));
        }
        return annotated;
    }

    /** @return the singleton object callers of the bean get, or {@code null} if not created (lazy) or a factory */
    private Object createdSingleton(String beanName) {
        Object bean = beanFactory.containsSingleton(beanName) ? beanFactory.getSingleton(beanName) : null;
        return bean instanceof FactoryBean ? null : bean;
    }

    /** Adds a line to {@code unadvised} for the bean's annotated methods that calls through the bean skip. */
    private static void findUnadvised(String beanName, Class<?> userClass, Object bean, List<Method> annotated,
            List<String> unadvised, Set<String> actions) {
        List<String> unreachable = new ArrayList<>();
        List<String> notAdvised = new ArrayList<>();
        for (Method method : annotated) {
            for (Class<? extends Annotation> type : ANNOTATIONS) {
                if (DikeAnnotations.find(method, type) != null) {
                    String what = new AdvisedMethod(null, userClass, method).describe() + " (@" + type.getSimpleName()
                            + ")";
                    if (!callable(bean, method)) {
                        // A class-level annotation also covers public methods that are not meant to be called
                        // through the interface (setters, say); only a method-level one asks for this method.
                        if (DikeAnnotations.onMethod(method, type) != null) {
                            unreachable.add(what);
                        }
                    } else if (!advised(bean, type)) {
                        notAdvised.add(what);
                    }
                }
            }
        }
        if (!unreachable.isEmpty()) {
            unadvised.add("bean '" + beanName + "' " + String.join(", ", unreachable) + ": the bean is a JDK dynamic "
                    + "proxy, and none of its interfaces " + interfaces(bean) + " declares "
                    + (unreachable.size() == 1 ? "the method" : "these methods"));
            actions.add("Declare each method in an interface the bean implements and call it through that "
                    + "interface, or let Spring proxy the bean's class (spring.aop.proxy-target-class=true, "
                    + "Spring Boot's default).");
        }
        if (!notAdvised.isEmpty()) {
            unadvised.add("bean '" + beanName + "' " + String.join(", ", notAdvised) + ": the bean was not advised; "
                    + "it was created before dike's post-processor existed (Spring then logs that it is not eligible "
                    + "for getting processed by all BeanPostProcessors), or registered as a ready-made object");
            actions.add("Do not inject the bean into a BeanPostProcessor or BeanFactoryPostProcessor, or into what "
                    + "they depend on (inject it there lazily, with ObjectProvider or @Lazy), and register it as a "
                    + "bean definition rather than as a ready-made object.");
        }
    }

    /**
     * @return whether a proxy in front of the bean (the outermost one, or one that it calls) holds the
     *         advisor of the annotation; also {@code true} when that cannot be known, as for a scoped
     *         proxy, whose targets are advised as they are created
     */
    private static boolean advised(Object bean, Class<? extends Annotation> type) {
        Object current = bean;
        while (current instanceof Advised advised) {
            for (Advisor advisor : advised.getAdvisors()) {
                if (advisor instanceof DikeAdvisor dike && dike.annotation() == type) {
                    return true;
                }
            }
            TargetSource targets = advised.getTargetSource();
            if (!targets.isStatic()) {
                return true;
            }
            try {
                current = targets.getTarget();
            } catch (Exception e) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the bean's own class has the method, which a JDK proxy does only for methods of
     *         its interfaces
     */
    private static boolean callable(Object bean, Method method) {
        return ReflectionUtils.findMethod(bean.getClass(), method.getName(), method.getParameterTypes()) != null;
    }

    private static List<String> interfaces(Object bean) {
        return Arrays.stream(bean.getClass().getInterfaces()).map(Class::getName)
                .filter(name -> !name.startsWith("org.springframework.")).toList();
    }

    private static void rejectUnused(String prefix, Map<String, ?> instances, Set<String> used, String annotation,
            ConfigurationProblems problems) {
        for (String name : instances.keySet()) {
            if (!used.contains(name)) {
                problems.add(new DikeConfigurationException("The property " + prefix + "[" + name + "] configures an instance "
                        + "that no " + annotation + " method uses. Names in use: " + new TreeSet<>(used) + ".",
                        "Correct the instance name (a name containing dots needs brackets, e.g. "
                                + prefix + "[OrderClient.fetch].*), or remove the properties.", null));
            }
        }
    }
}
