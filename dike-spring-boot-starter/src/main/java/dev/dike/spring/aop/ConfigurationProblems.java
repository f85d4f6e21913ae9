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
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder description = new StringBuilder(problems.size() + " problems in dike's configuration:");
        StringBuilder action = new StringBuilder();
        for (int i = 0; i < problems.size(); i++) {
            description.append("\n\n").append(i + 1).append(". ").append(problems.get(i).description());
            action.append(i == 0 ? "" : "\n").append(i + 1).append(". ").append(problems.get(i).action());
        }
        DikeConfigurationException all = new DikeConfigurationException(description.toString(), action.toString(),
                null);
        problems.forEach(all::addSuppressed);
        throw all;
    }
}
