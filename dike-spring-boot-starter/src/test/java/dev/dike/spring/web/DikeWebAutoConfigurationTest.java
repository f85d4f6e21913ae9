package dev.dike.spring.web;

import dev.dike.limit.TooManyCallsException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import reactor.core.publisher.Mono;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

class DikeWebAutoConfigurationTest {

    private static final String MESSAGE = "Too many calls to orders! limit=2 exceeded";

    @Nested
    class ServletApplication {

        private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        HttpMessageConvertersAutoConfiguration.class, WebMvcAutoConfiguration.class,
                        DispatcherServletAutoConfiguration.class, DikeWebAutoConfiguration.class))
                .withUserConfiguration(MvcController.class);

        @Test
        void mapsAThrownRejectionTo503ProblemDetail() {
            runner.run(context -> {
                MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
                mvc.perform(get("/sync"))
                        .andExpect(status().isServiceUnavailable())
                        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                        .andExpect(jsonPath("$.type").value("about:blank"))
                        .andExpect(jsonPath("$.status").value(503))
                        .andExpect(jsonPath("$.title").value("Service Unavailable"))
                        .andExpect(jsonPath("$.detail").value(MESSAGE))
                        .andExpect(jsonPath("$.instance").value("/sync"))
                        .andExpect(jsonPath("$.limiter").value("orders"));
            });
        }

        @Test
        void mapsAFailedFutureTo503ProblemDetail() {
            runner.run(context -> {
                MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
                MvcResult started = mvc.perform(get("/future")).andExpect(request().asyncStarted()).andReturn();
                mvc.perform(asyncDispatch(started))
                        .andExpect(status().isServiceUnavailable())
                        .andExpect(jsonPath("$.detail").value(MESSAGE))
                        .andExpect(jsonPath("$.limiter").value("orders"));
            });
        }

        @Test
        void backsOffWhenDisabled() {
            runner.withPropertyValues("dike.web.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean(TooManyCallsProblemHandler.class));
        }

        @Test
        void letsTheApplicationsOwnAdviceWin() {
            runner.withUserConfiguration(TooManyCallsAdvice.class).run(context -> {
                assertThat(context).hasSingleBean(TooManyCallsProblemHandler.class);
                MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
                mvc.perform(get("/sync"))
                        .andExpect(status().isTooManyRequests())
                        .andExpect(content().string("busy: orders"));
            });
        }

        @Test
        void letsAnApplicationAdviceForASuperTypeWin() {
            runner.withUserConfiguration(CatchAllHandler.class).run(context -> {
                MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
                mvc.perform(get("/sync"))
                        .andExpect(status().isInternalServerError())
                        .andExpect(content().string("caught " + MESSAGE));
            });
        }
    }

    @Nested
    class ReactiveApplication {

        private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
                        WebFluxAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
                        DikeWebAutoConfiguration.class))
                .withUserConfiguration(FluxController.class);

        @Test
        void mapsARejectedMonoTo503ProblemDetail() {
            runner.run(context -> WebTestClient.bindToApplicationContext(context).build()
                    .get().uri("/mono").exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.status").isEqualTo(503)
                    .jsonPath("$.title").isEqualTo("Service Unavailable")
                    .jsonPath("$.detail").isEqualTo(MESSAGE)
                    .jsonPath("$.instance").isEqualTo("/mono")
                    .jsonPath("$.limiter").isEqualTo("orders"));
        }

        @Test
        void backsOffWhenDisabled() {
            runner.withPropertyValues("dike.web.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean(TooManyCallsProblemHandler.class));
        }

        @Test
        void letsTheApplicationsOwnAdviceWin() {
            runner.withUserConfiguration(TooManyCallsAdvice.class)
                    .run(context -> WebTestClient.bindToApplicationContext(context).build()
                            .get().uri("/mono").exchange()
                            .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                            .expectBody(String.class).isEqualTo("busy: orders"));
        }
    }

    @Test
    void backsOffOutsideWebApplications() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DikeWebAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TooManyCallsProblemHandler.class));
    }

    @Test
    void startsWithoutSpringWebOnTheClassPath() {
        new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader("org.springframework.web", "org.springframework.http"))
                .withConfiguration(AutoConfigurations.of(DikeWebAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TooManyCallsProblemHandler.class));
    }

    @Test
    void backsOffInAServletApplicationWithoutProblemDetail() {
        new WebApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader(org.springframework.http.ProblemDetail.class))
                .withConfiguration(AutoConfigurations.of(DikeWebAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TooManyCallsProblemHandler.class));
    }

    @RestController
    static class MvcController {

        @GetMapping("/sync")
        String sync() {
            throw new TooManyCallsException("orders", 2);
        }

        @GetMapping("/future")
        CompletableFuture<String> future() {
            return CompletableFuture.failedFuture(new TooManyCallsException("orders", 2));
        }
    }

    @RestController
    static class FluxController {

        @GetMapping("/mono")
        Mono<String> mono() {
            return Mono.error(new TooManyCallsException("orders", 2));
        }
    }

    @RestControllerAdvice
    static class TooManyCallsAdvice {

        @ExceptionHandler(TooManyCallsException.class)
        ResponseEntity<String> handle(TooManyCallsException exception) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body("busy: " + exception.limiterName());
        }
    }

    @RestControllerAdvice
    static class CatchAllHandler {

        @ExceptionHandler(RuntimeException.class)
        ResponseEntity<String> handle(RuntimeException exception) {
            return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body("caught " + exception.getMessage());
        }
    }
}
