package dev.dike.spring.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Maps {@link dev.dike.limit.TooManyCallsException} to HTTP 503 in Spring MVC and WebFlux
 * applications; {@code dike.web.enabled=false} turns it off.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass({ProblemDetail.class, RestControllerAdvice.class})
@ConditionalOnBooleanProperty(name = "dike.web.enabled", matchIfMissing = true)
public class DikeWebAutoConfiguration {

    /** Creates the auto-configuration; Spring calls it. */
    public DikeWebAutoConfiguration() {
    }

    /** @return the controller advice answering rejections with 503 */
    @Bean
    @ConditionalOnMissingBean
    public TooManyCallsProblemHandler dikeTooManyCallsProblemHandler() {
        return new TooManyCallsProblemHandler();
    }
}
