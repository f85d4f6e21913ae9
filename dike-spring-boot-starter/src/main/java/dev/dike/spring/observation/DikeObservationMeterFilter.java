package dev.dike.spring.observation;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the meters that a {@code MeterObservationHandler} derives from dike's observations apart from
 * dike's own meters. Micrometer's default handler makes, for an observation {@code <name>}, a timer
 * {@code <name>}, a long-task timer {@code <name>.active} and a counter {@code <name>.<event>} per
 * event. For {@code dike.limit} the long-task timer would be {@code dike.limit.active}, the name of
 * dike's gauge of permits in use: two meters of different types (and different tag keys) under one
 * name, which Prometheus and most registries refuse. This filter renames that long-task timer
 * {@value #LIMIT_WAITS}, the waits in progress; dike's meters keep their names. Every other name the
 * handler derives is already free (see {@code docs/tracing.md}).
 *
 * <p>Spring Boot applies every {@link MeterFilter} bean to its meter registries. Stateless.
 */
final class DikeObservationMeterFilter implements MeterFilter {

    /** The long-task timer of {@code dike.limit} observations that Micrometer's default handler makes. */
    static final String LIMIT_ACTIVE = "dike.limit.active";
    /** Its name after this filter. */
    static final String LIMIT_WAITS = "dike.limit.wait.active";

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getType() == Meter.Type.LONG_TASK_TIMER && LIMIT_ACTIVE.equals(id.getName())) {
            return id.withName(LIMIT_WAITS);
        }
        return id;
    }
}
