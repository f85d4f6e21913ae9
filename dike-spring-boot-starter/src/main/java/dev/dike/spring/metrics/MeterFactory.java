package dev.dike.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Registers dike meters, all tagged {@code name}, and remembers them so that they can be removed
 * when the application context closes.
 */
final class MeterFactory {

    static final String NAME_TAG = "name";

    private final MeterRegistry registry;
    private final Set<Meter> registered = ConcurrentHashMap.newKeySet();

    MeterFactory(MeterRegistry registry) {
        this.registry = registry;
    }

    Counter counter(String meter, String instance, String description, String baseUnit, String... extraTags) {
        return remember(Counter.builder(meter)
                .tags(tags(instance, extraTags))
                .description(description)
                .baseUnit(baseUnit)
                .register(registry));
    }

    Timer timer(String meter, String instance, String description, String... extraTags) {
        return remember(Timer.builder(meter)
                .tags(tags(instance, extraTags))
                .description(description)
                .register(registry));
    }

    DistributionSummary summary(String meter, String instance, String description, String baseUnit) {
        return remember(DistributionSummary.builder(meter)
                .tags(tags(instance))
                .description(description)
                .baseUnit(baseUnit)
                .register(registry));
    }

    /**
     * Registers a gauge that reads {@code source}. The gauge references it weakly, as Micrometer
     * does by default: the {@link dev.dike.spring.DikeRegistry} keeps every instance alive for the
     * application's lifetime, and a weak reference never pins an instance (and the beans its
     * operation references) in a meter registry that outlives the context, such as the global one.
     */
    <T> void gauge(String meter, String instance, String description, String baseUnit, T source,
                   ToDoubleFunction<T> value, String... extraTags) {
        remember(Gauge.builder(meter, source, value)
                .tags(tags(instance, extraTags))
                .description(description)
                .baseUnit(baseUnit)
                .register(registry));
    }

    /** Removes every meter registered through this factory. */
    void removeAll() {
        for (Meter meter : registered) {
            registry.remove(meter);
        }
        registered.clear();
    }

    private <M extends Meter> M remember(M meter) {
        registered.add(meter);
        return meter;
    }

    private static Tags tags(String instance, String... extraTags) {
        return Tags.of(NAME_TAG, instance).and(extraTags);
    }
}
