package dev.dike.sample.demo;

import dev.dike.sample.SampleApplication;
import dev.dike.sample.backend.BackendProperties;
import dev.dike.sample.backend.InventoryBackend;
import dev.dike.spring.DikeRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.web.context.reactive.StandardReactiveWebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.http.client.ReactorResourceFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One instance of the service that the demo loads: this application, or a sibling that the demo
 * starts in the same JVM with a few dike settings changed, so that two runs differ in exactly those
 * settings (a fixed or an adaptive limit, retries with or without a budget) and nothing else.
 *
 * <p>A sibling gets every setting this application got from outside its {@code application.yml}
 * (command line, test properties; system properties and the environment are the JVM's own), then
 * its own {@code application.yml}, and the changes above all of them; it listens on a free port.
 * It leaves the JVM's logging as this application configured it, has event loops and connections
 * of its own (closing it must not dispose Reactor Netty's global ones, which this application's
 * server and clients use), registers no shutdown hook, and stops when closed. Used from the demo's
 * thread only.
 */
final class DemoTarget implements AutoCloseable {

    /** Sources a sibling does not inherit: bound to this application, or recreated by the sibling. */
    private static final Set<String> NOT_INHERITED = Set.of("server.ports", "random",
            StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);

    private final ApplicationContext context;
    private final ConfigurableApplicationContext ownContext;
    private final int port;
    private final InventoryBackend backend;
    private final BackendProperties backendSettings;
    private final MeterRegistry meters;
    private final DikeRegistry registry;

    private DemoTarget(ApplicationContext context, ConfigurableApplicationContext ownContext) {
        this.context = context;
        this.ownContext = ownContext;
        this.port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        this.backend = context.getBean(InventoryBackend.class);
        this.backendSettings = context.getBean(BackendProperties.class);
        this.meters = context.getBean(MeterRegistry.class);
        this.registry = context.getBean(DikeRegistry.class);
    }

    /**
     * @param context the running application
     * @return the application itself as a target; closing it does nothing
     */
    static DemoTarget of(ApplicationContext context) {
        return new DemoTarget(context, null);
    }

    /**
     * Starts a sibling of the application; returns once it serves on its port.
     *
     * @param environment the application's environment, whose outside settings the sibling inherits
     * @param changes     property names and values that take precedence over every other setting
     * @return the sibling, to close once loaded
     */
    static DemoTarget sibling(ConfigurableEnvironment environment, Map<String, String> changes) {
        StandardReactiveWebEnvironment siblingEnvironment = new StandardReactiveWebEnvironment();
        MutablePropertySources sources = siblingEnvironment.getPropertySources();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source.getName().equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)) {
                break; // what follows is the JVM's own, application.yml and defaults: the sibling loads its own
            }
            if (!NOT_INHERITED.contains(source.getName())
                    && !ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                sources.addBefore(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, source);
            }
        }
        Map<String, Object> forced = new LinkedHashMap<>(changes);
        forced.put("server.port", "0");
        // A redis-server this application started is the sibling's Redis too: a second one could not take its port.
        forced.put("sample.redis.embedded", "false");
        sources.addFirst(new MapPropertySource("load demo: sibling settings", forced));

        SpringApplication application = new SpringApplication(SampleApplication.class);
        application.setEnvironment(siblingEnvironment);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setRegisterShutdownHook(false);
        // The logging system is the JVM's, configured by this application: the sibling must not reset it.
        List<ApplicationListener<?>> listeners = application.getListeners().stream()
                .filter(listener -> !(listener instanceof LoggingApplicationListener))
                .toList();
        application.setListeners(listeners);
        // Boot's own factory is global and disposes the global loops on close: this one stops only its own.
        application.addInitializers(context -> ((GenericApplicationContext) context).registerBean(
                ReactorResourceFactory.class, DemoTarget::ownNettyResources));
        ConfigurableApplicationContext context = application.run();
        return new DemoTarget(context, context);
    }

    private static ReactorResourceFactory ownNettyResources() {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        return resources;
    }

    int port() {
        return port;
    }

    InventoryBackend backend() {
        return backend;
    }

    BackendProperties backendSettings() {
        return backendSettings;
    }

    DikeRegistry registry() {
        return registry;
    }

    ApplicationContext context() {
        return context;
    }

    /**
     * @param name a counter's name
     * @param tags tag keys and values the counters must have
     * @return the sum of the matching counters; 0 when there is none
     */
    double count(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    /**
     * @param name a gauge's name
     * @param tags tag keys and values the gauge must have
     * @return the gauge's value; NaN when there is none
     */
    double gauge(String name, String... tags) {
        Gauge gauge = meters.find(name).tags(tags).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    /** Stops a sibling; does nothing for the application itself. */
    @Override
    public void close() {
        if (ownContext != null) {
            ownContext.close();
        }
    }
}
