package dev.dike.spring;

import java.util.Objects;

/**
 * A dike annotation or {@code dike.*} property is invalid; thrown at startup, so that the
 * application does not start with a configuration it would not honour. Spring Boot prints its
 * {@link #description()} and {@link #action()} as a failure analysis.
 */
public class DikeConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String description;
    private final String action;

    /**
     * @param description what is wrong, naming the bean, the method, the attribute or property, and
     *                    the value
     * @param action      what to change
     * @param cause       the underlying failure, or {@code null}
     */
    public DikeConfigurationException(String description, String action, Throwable cause) {
        super(Objects.requireNonNull(description, "description") + " Action: " + Objects.requireNonNull(action, "action"),
                cause);
        this.description = description;
        this.action = action;
    }

    /** @return what is wrong */
    public String description() {
        return description;
    }

    /** @return what to change */
    public String action() {
        return action;
    }
}
