package dev.dike.spring.autoconfigure;

import dev.dike.spring.DikeConfigurationException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** dike starts on Spring Boot 3.5 and 4.0 (and later), and says so when the application's Boot is older. */
class SpringBootSupportTest {

    @Test
    void supportedVersionsStart() {
        for (String version : new String[] {"3.5.0", "3.5.7", "4.0.0-RC1", "4.0.7", "4.1.2", "5.0.0-SNAPSHOT"}) {
            assertThatCode(() -> SpringBootSupport.check(version)).as(version).doesNotThrowAnyException();
        }
    }

    @Test
    void anUnknownVersionIsNotChecked() {
        assertThatCode(() -> SpringBootSupport.check(null)).doesNotThrowAnyException();
        assertThatCode(() -> SpringBootSupport.check("custom-build")).doesNotThrowAnyException();
    }

    @Test
    void anOlderBootFailsTheStartupSayingWhichVersionsAreSupported() {
        for (String version : new String[] {"3.4.9", "3.0.0", "2.7.18"}) {
            assertThatThrownBy(() -> SpringBootSupport.check(version)).as(version)
                    .isInstanceOf(DikeConfigurationException.class)
                    .hasMessageContaining("dike supports Spring Boot 3.5.x and 4.0.x, but this application runs "
                            + "Spring Boot " + version + ".")
                    .hasMessageContaining("Upgrade the application to Spring Boot 3.5 or later");
        }
    }
}
