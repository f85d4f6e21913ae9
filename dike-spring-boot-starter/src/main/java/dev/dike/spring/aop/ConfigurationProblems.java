package dev.dike.spring.aop;

import dev.dike.spring.DikeConfigurationException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the configuration problems of one startup, so that they are all reported together
 * rather than one per attempt to start. A property is reported once, even when several instances
 * (or the defaults check and an instance) find it invalid. Used by one thread, the one that runs
 * the startup check.
 */
final class ConfigurationProblems {

    private static final String PROPERTY_ACTION = "Correct the property ";

    private final List<DikeConfigurationException> problems = new ArrayList<>();
    private final Set<String> propertyActions = new HashSet<>();

    /** Runs a check, recording the {@link DikeConfigurationException} it throws, if any. */
    void check(Runnable check) {
        try {
            check.run();
        } catch (DikeConfigurationException e) {
            add(e);
        }
    }

    void add(DikeConfigurationException problem) {
        if (problem instanceof Several several) {
            several.parts.forEach(this::add); // each part deduplicated on its own
            return;
        }
        if (problem.action().startsWith(PROPERTY_ACTION) && !propertyActions.add(problem.action())) {
            return;
        }
        problems.add(problem);
    }

    /**
     * @throws DikeConfigurationException the one problem found, as it is; or, for several, one that
     *                                    lists every description and every action, numbered alike
     */
    void throwIfAny() {
        if (problems.size() == 1) {
            throw problems.get(0);
        }
        if (!problems.isEmpty()) {
            throw new Several(problems);
        }
    }

    /**
     * Several problems as one exception, which lists every description and every action, numbered alike.
     * {@link #add} takes it apart again, so that a caller that collects problems of its own (one method's
     * annotations, say) still has each of them deduplicated with the others of the startup.
     */
    static final class Several extends DikeConfigurationException {

        private final List<DikeConfigurationException> parts;

        Several(List<DikeConfigurationException> parts) {
            super(descriptions(parts), actions(parts), null);
            this.parts = List.copyOf(parts);
            parts.forEach(this::addSuppressed);
        }

        private static String descriptions(List<DikeConfigurationException> parts) {
            StringBuilder description = new StringBuilder(parts.size() + " problems in dike's configuration:");
            for (int i = 0; i < parts.size(); i++) {
                description.append("\n\n").append(i + 1).append(". ").append(parts.get(i).description());
            }
            return description.toString();
        }

        private static String actions(List<DikeConfigurationException> parts) {
            StringBuilder action = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                action.append(i == 0 ? "" : "\n").append(i + 1).append(". ").append(parts.get(i).action());
            }
            return action.toString();
        }
    }
}
