package dev.dike.spring.autoconfigure;

import dev.dike.spring.DikeConfigurationException;

import org.springframework.boot.SpringBootVersion;

/**
 * The Spring Boot versions dike supports: 3.5.x and 4.0.x, on Java 17 or later. The starter is
 * compiled against Boot 4 and uses nothing that Boot 3.5 lacks; an older Boot would fail in odd
 * places (Boot 3.4 has no {@code @ConditionalOnBooleanProperty}, so dike's switches would be
 * ignored), so the auto-configuration stops the startup with a message saying so instead. A newer
 * Boot is allowed: whether it works is for its own release notes to say.
 */
final class SpringBootSupport {

    static final String SUPPORTED = "Spring Boot 3.5.x and 4.0.x";

    private SpringBootSupport() {
    }

    /** Fails the startup when the application runs a Spring Boot older than 3.5. */
    static void check() {
        check(SpringBootVersion.getVersion());
    }

    /**
     * @param version the Spring Boot version, or {@code null} when unknown (a repackaged jar may
     *                have lost the manifest that tells it): then nothing is checked
     */
    static void check(String version) {
        if (version != null && tooOld(version)) {
            throw new DikeConfigurationException("dike supports " + SUPPORTED + ", but this application runs "
                    + "Spring Boot " + version + ".", "Upgrade the application to Spring Boot 3.5 or later, "
                    + "or remove the dike-spring-boot-starter dependency.", null);
        }
    }

    private static boolean tooOld(String version) {
        String[] parts = version.split("[.-]", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major < 3 || (major == 3 && minor < 5);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
