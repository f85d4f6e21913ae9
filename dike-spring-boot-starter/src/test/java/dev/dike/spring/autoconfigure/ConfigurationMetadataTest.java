package dev.dike.spring.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated {@code spring-configuration-metadata.json}, which IDEs read, describes every
 * {@code dike.*} property, gives each setting with a built-in default that default, and offers
 * exception classes for the exception-type settings.
 */
class ConfigurationMetadataTest {

    /**
     * Settings that have no built-in default: a limit and a target batch size are required, max-delay is
     * unbounded, an adaptive limit's initial limit is the limit.
     */
    private static final Set<String> WITHOUT_DEFAULT = Set.of("dike.limit.defaults.limit",
            "dike.batch.defaults.target-batch-size", "dike.retry.defaults.max-delay",
            "dike.limit.defaults.adaptive.initial-limit", "dike.retry.defaults.max-retry-after");

    @Test
    void everyPropertyHasADescription() throws Exception {
        List<Map<String, Object>> properties = section("properties");

        assertThat(properties).extracting(property -> property.get("name")).contains(
                "dike.enabled", "dike.web.enabled",
                "dike.retry.defaults.attempts", "dike.retry.defaults.delay", "dike.retry.defaults.backoff",
                "dike.retry.defaults.max-delay", "dike.retry.defaults.jitter", "dike.retry.defaults.exception-types",
                "dike.retry.defaults.ignored-exception-types", "dike.retry.defaults.log-exception-info",
                "dike.retry.instances", "dike.limit.defaults.limit", "dike.limit.defaults.max-wait",
                "dike.limit.instances", "dike.batch.defaults.target-batch-size",
                "dike.batch.defaults.max-waiting-time", "dike.batch.defaults.max-processing-time",
                "dike.batch.defaults.max-concurrent-batches", "dike.batch.defaults.missing-key", "dike.batch.instances",
                "dike.aspect-order.retry", "dike.aspect-order.limit", "dike.aspect-order.batch");
        assertThat(properties).allSatisfy(property -> assertThat((String) property.get("description"))
                .as("description of %s", property.get("name")).isNotBlank());
    }

    @Test
    void everyRetryLimitAndBatchSettingHasItsBuiltInDefault() throws Exception {
        List<Map<String, Object>> settings = section("properties").stream()
                .filter(property -> ((String) property.get("name")).matches("dike\\.(retry|limit|batch)\\.defaults\\..*"))
                .toList();

        assertThat(settings).hasSizeGreaterThanOrEqualTo(14).allSatisfy(setting -> {
            String name = (String) setting.get("name");
            if (WITHOUT_DEFAULT.contains(name)) {
                assertThat(setting).as(name).doesNotContainKey("defaultValue");
                assertThat((String) setting.get("description")).as(name).containsAnyOf("No built-in default",
                        "no bound");
            } else {
                assertThat(setting.get("defaultValue")).as("defaultValue of %s", name).isNotNull();
                assertThat(setting.get("type")).as("type of %s (merged with the generated entry)", name).isNotNull();
            }
        });
        assertThat(defaultValue("dike.retry.defaults.attempts")).isEqualTo(3);
        assertThat(defaultValue("dike.retry.defaults.exception-types")).isEqualTo(List.of("java.lang.Exception"));
        assertThat(defaultValue("dike.batch.defaults.max-waiting-time")).isEqualTo("10ms");
        assertThat(defaultValue("dike.aspect-order.retry")).isEqualTo(2147483644);
    }

    @Test
    void exceptionTypeSettingsOfferThrowableClassesUnderDefaultsAndInstances() throws Exception {
        // The metadata format names a map's values "<map>.values"; the settings of each instance follow it.
        assertThat(section("hints")).filteredOn(hint -> ((String) hint.get("name")).endsWith("exception-types"))
                .extracting(hint -> hint.get("name")).containsExactlyInAnyOrder(
                        "dike.retry.defaults.exception-types", "dike.retry.defaults.ignored-exception-types",
                        "dike.retry.instances.values.exception-types",
                        "dike.retry.instances.values.ignored-exception-types");
        assertThat(section("hints")).filteredOn(hint -> ((String) hint.get("name")).endsWith("exception-types"))
                .allSatisfy(hint -> assertThat(hint.get("providers")).isEqualTo(List.of(Map.of("name",
                        "class-reference", "parameters", Map.of("target", "java.lang.Throwable")))));
    }

    private static Object defaultValue(String name) throws Exception {
        return section("properties").stream().filter(property -> property.get("name").equals(name)).findFirst()
                .orElseThrow().get("defaultValue");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> section(String section) throws Exception {
        try (InputStream json = ConfigurationMetadataTest.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(json).as("generated metadata").isNotNull();
            String text = new String(json.readAllBytes(), StandardCharsets.UTF_8);
            return (List<Map<String, Object>>) JsonParserFactory.getJsonParser().parseMap(text).get(section);
        }
    }
}
