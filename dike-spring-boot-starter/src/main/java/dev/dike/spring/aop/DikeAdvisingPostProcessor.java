package dev.dike.spring.aop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.AdvisedSupport;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.util.StringUtils;

/**
 * Puts dike's advisors on every bean with dike annotations, whatever auto-proxy creator the
 * application has, or none: Spring Boot registers none with {@code spring.aop.auto=false}, nor with
 * {@code spring.aop.proxy-target-class=false} and no AspectJ on the class path, and annotations
 * applied only by an auto-proxy creator would then silently do nothing. Spring's own
 * {@code @Async}, {@code @Validated} and resilient methods are applied the same way, by an advising
 * post-processor of their own.
 *
 * <p>It runs after the other post-processors (lowest precedence; auto-proxy creators run first). A
 * bean that is already a proxy it can change gets the advisors added to its chain, each at the
 * place its order gives among the advisors already there (so {@code dike.aspect-order.*} nests
 * dike's advice with, say, {@code @Transactional} exactly as an auto-proxy creator sorting all of
 * them would); any other bean is wrapped in a new proxy. The advisors are not beans, so an
 * auto-proxy creator never applies them a second time; and an advisor already in a proxy (the same
 * bean object exposed under a second name) is not added again. Each advisor thus runs once per call.
 *
 * <p>The proxy is a CGLIB subclass unless {@code spring.aop.proxy-target-class=false} (as in
 * Spring Boot, class proxying is the default); then a bean implementing interfaces gets a JDK proxy
 * of them, and only its interface methods are advised. {@link DikeStartupCheck} fails the startup
 * for an annotated method that callers of the bean cannot reach through the advice.
 *
 * <p>Threads: called by the container while it creates beans, possibly from several threads at
 * once (background bootstrapping); its state (the advisors by bean class, the singletons advised
 * early) is in concurrent collections.
 * It touches nothing of the hot path: a call through the proxy runs the interceptors directly.
 */
final class DikeAdvisingPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    /** Sorted by order, outermost first. */
    private final transient List<DikeAdvisor> advisors;
    /** The advisors whose pointcut matches a method of the class, outermost first; often empty. */
    private final transient Map<Class<?>, List<DikeAdvisor>> applicable = new ConcurrentHashMap<>();
    /** The singletons whose early reference (see {@link #getEarlyBeanReference}) was advised. */
    private final transient Set<String> earlyAdvised = ConcurrentHashMap.newKeySet();

    /**
     * @param advisors         the advisors, in any order
     * @param proxyTargetClass whether to proxy the bean's class even when it implements interfaces
     *                         ({@code spring.aop.proxy-target-class})
     */
    DikeAdvisingPostProcessor(List<DikeAdvisor> advisors, boolean proxyTargetClass) {
        List<DikeAdvisor> sorted = new ArrayList<>(advisors);
        AnnotationAwareOrderComparator.sort(sorted);
        this.advisors = List.copyOf(sorted);
        setProxyTargetClass(proxyTargetClass);
    }

    /** @return the advisors, outermost first */
    List<DikeAdvisor> advisors() {
        return advisors;
    }

    /**
     * Advises the reference to a singleton still being created that another bean gets for a circular
     * reference (when the application allows them), as auto-proxy creators do: otherwise that bean
     * would hold the unadvised object, and the container would refuse to expose another one later.
     */
    @Override
    public Object getEarlyBeanReference(Object bean, String beanName) {
        earlyAdvised.add(key(bean, beanName));
        return advise(bean, beanName);
    }

    /**
     * Replaces the base class's handling of its single advisor: adds each matching advisor, in its
     * place among those of an existing proxy, or creates a proxy with all of them.
     */
    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (earlyAdvised.remove(key(bean, beanName))) {
            return bean; // the container exposes the early reference, advised already
        }
        return advise(bean, beanName);
    }

    private static String key(Object bean, String beanName) {
        return StringUtils.hasLength(beanName) ? beanName : bean.getClass().getName();
    }

    private Object advise(Object bean, String beanName) {
        if (bean instanceof AopInfrastructureBean || !isEligible(bean, beanName)) {
            return bean;
        }
        List<DikeAdvisor> matching = applicable(AopUtils.getTargetClass(bean));
        if (bean instanceof Advised advised && !advised.isFrozen()) {
            for (DikeAdvisor advisor : matching) {
                if (advised.indexOf(advisor) < 0) {
                    advised.addAdvisor(position(advised, advisor), advisor);
                }
            }
            return bean;
        }
        ProxyFactory factory = prepareProxyFactory(bean, beanName);
        if (!factory.isProxyTargetClass() && factory.getProxiedInterfaces().length == 0) {
            evaluateProxyInterfaces(bean.getClass(), factory); // class proxying if it has no usable interface
        }
        for (DikeAdvisor advisor : matching) {
            factory.addAdvisor(advisor);
        }
        customizeProxyFactory(factory);
        return factory.getProxy(getProxyClassLoader());
    }

    @Override
    protected boolean isEligible(Class<?> targetClass) {
        return !applicable(targetClass).isEmpty();
    }

    private List<DikeAdvisor> applicable(Class<?> targetClass) {
        return applicable.computeIfAbsent(targetClass, this::matching);
    }

    private List<DikeAdvisor> matching(Class<?> targetClass) {
        List<DikeAdvisor> matching = new ArrayList<>(advisors.size());
        for (DikeAdvisor advisor : advisors) {
            if (AopUtils.canApply(advisor, targetClass)) {
                matching.add(advisor);
            }
        }
        return matching.isEmpty() ? Collections.emptyList() : List.copyOf(matching);
    }

    /**
     * @return where the advisor goes in an existing chain: after every advisor that an auto-proxy
     *         creator would sort before it or level with it
     */
    private static int position(Advised advised, Advisor advisor) {
        Advisor[] existing = advised.getAdvisors();
        int position = existing.length;
        for (int i = 0; i < existing.length; i++) {
            if (AnnotationAwareOrderComparator.INSTANCE.compare(existing[i], advisor) > 0) {
                position = i;
                break;
            }
        }
        // A proxy without a target (an HTTP interface client, say) ends with the advisor that does the work.
        if (advised.getTargetSource() == AdvisedSupport.EMPTY_TARGET_SOURCE && position == existing.length
                && position > 0) {
            position--;
        }
        return position;
    }
}
