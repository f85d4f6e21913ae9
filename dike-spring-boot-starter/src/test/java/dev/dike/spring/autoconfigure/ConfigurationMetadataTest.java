package dev.dike.spring.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated {@code spring-configuration-metadata.json} describes every {@code dike.*} property. */
class ConfigurationMetadataTest {

    @Test
    void everyPropertyHasADescription() throws Exception {
        List<Map<String, Object>> properties = properties();

        assertThat(properties).extracting(property -> property.get("name")).contains(
                "dike.enabled", "dike.web.enabled",
                "dike.retry.defaults.attempts", "dike.retry.defaults.delay", "dike.retry.defaults.backoff",
                "dike.retry.defaults.max-delay", "dike.retry.defaults.jitter", "dike.retry.defaults.exception-types",
                "dike.retry.defaults.ignored-exception-types", "dike.retry.defaults.log-exception-info",
                "dike.retry.instances", "dike.limit.defaults.limit", "dike.limit.defaults.max-wait",
                "dike.limit.instances", "dike.batch.defaults.target-batch-size",
                "dike.batch.defaults.max-waiting-time", "dike.batch.defaults.max-processing-time",
                "dike.batch.defaults.max-concurrent-batches", "dike.batch.instances",
                "dike.aspect-order.retry", "dike.aspect-order.limit", "dike.aspect-order.batch");
        assertThat(properties).allSatisfy(property -> assertThat((String) property.get("description"))
                .as("description of %s", property.get("name")).isNotBlank());
    }

    @Test
    void aspectOrderDefaultsAreDocumented() throws Exception {
        assertThat(properties()).filteredOn(property -> property.get("name").equals("dike.aspect-order.retry"))
                .singleElement().satisfies(property -> assertThat(property.get("defaultValue")).isEqualTo(2147483644));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> properties() throws Exception {
        try (InputStream json = ConfigurationMetadataTest.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(json).as("generated metadata").isNotNull();
            String text = new String(json.readAllBytes(), StandardCharsets.UTF_8);
            return (List<Map<String, Object>>) JsonParserFactory.getJsonParser().parseMap(text).get("properties");
        }
    }
}
