package dev.dike.sample.backend;

import dev.dike.sample.Price;

import java.math.BigDecimal;

/** The simulated inventory's price list: a fixed price for every SKU, derived from the SKU itself. */
public final class PriceCatalog {

    private static final String CURRENCY = "EUR";
    private static final int MIN_CENTS = 100;
    private static final int CENT_RANGE = 99_900;

    private PriceCatalog() {
    }

    /**
     * Returns the price of an article; the same SKU always has the same price, so that tests and
     * users can check that every caller got its own row back from a batch.
     *
     * @param sku the article
     * @return its price, between 1.00 and 999.99 EUR
     */
    public static Price priceOf(String sku) {
        // String.hashCode is specified, so prices are stable across runs and JVMs.
        long cents = MIN_CENTS + Math.floorMod(sku.hashCode(), CENT_RANGE);
        return new Price(sku, BigDecimal.valueOf(cents, 2), CURRENCY);
    }
}
