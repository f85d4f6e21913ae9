package dev.dike.spring.aop;

/**
 * One configuration value of an instance together with where it came from, so that an invalid
 * value can be reported as the user wrote it.
 *
 * @param value       the value, {@code null} when nothing set it
 * @param property    the full property path that set it, or {@code null} if the annotation did
 * @param annotation  the annotation that set it, e.g. {@code @Retry}, or {@code null}
 * @param attribute   the annotation attribute that set it, or {@code null}
 * @param text        the value as written
 * @param <T>         the value's type
 */
record Setting<T>(T value, String property, String annotation, String attribute, String text) {

    static <T> Setting<T> unset() {
        return new Setting<>(null, null, null, null, null);
    }

    static <T> Setting<T> fromProperty(String property, T value) {
        return value == null ? unset() : new Setting<>(value, property, null, null, String.valueOf(value));
    }

    static <T> Setting<T> fromAnnotation(String annotation, String attribute, T value, String text) {
        return value == null ? unset() : new Setting<>(value, null, annotation, attribute, text);
    }

    boolean isSet() {
        return value != null;
    }

    /** @return this if set, else {@code fallback} */
    Setting<T> or(Setting<T> fallback) {
        return isSet() ? this : fallback;
    }

    /** @return e.g. {@code dike.retry.instances.fetch.attempts=0} or {@code @Retry(attempts=0)} */
    String origin() {
        return property != null ? property + "=" + text : annotation + "(" + attribute + "=" + text + ")";
    }

    /** @return what the user should correct */
    String fix() {
        return property != null ? "Correct the property " + property + " in the application's configuration."
                : "Correct the attribute " + attribute + " of " + annotation + ".";
    }
}
