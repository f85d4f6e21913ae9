package dev.dike.sample.backend;

import dev.dike.sample.Price;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class PriceCatalogTest {

    @Test
    void everySkuHasOneStablePriceWithTwoDecimalsInRange() {
        IntStream.range(0, 10_000).mapToObj(i -> "SKU-" + i).forEach(sku -> {
            Price price = PriceCatalog.priceOf(sku);
            assertThat(price).isEqualTo(PriceCatalog.priceOf(sku));
            assertThat(price.amount().scale()).isEqualTo(2);
            assertThat(price.amount()).isBetween(new BigDecimal("1.00"), new BigDecimal("999.99"));
            assertThat(price.currency()).isEqualTo("EUR");
        });
    }

    @Test
    void pricesDifferBetweenSkus() {
        assertThat(IntStream.range(0, 100).mapToObj(i -> PriceCatalog.priceOf("SKU-" + i).amount()).distinct())
                .hasSizeGreaterThan(90);
    }
}
