package dev.dike.spring.autoconfigure;

import dev.dike.spring.DikeConfigurationException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a {@link DikeConfigurationException} as a startup failure analysis: what is wrong, what to do. */
class DikeConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<DikeConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DikeConfigurationException cause) {
        return new FailureAnalysis(cause.description(), cause.action(), cause);
    }
}
