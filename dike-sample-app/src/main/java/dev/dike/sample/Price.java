package dev.dike.sample;

import java.math.BigDecimal;

/**
 * The price of one article, as the public API and the inventory backend return it.
 *
 * @param sku      the article's stock keeping unit, e.g. {@code SKU-42}
 * @param amount   the price, with two decimals
 * @param currency the ISO 4217 currency code
 */
public record Price(String sku, BigDecimal amount, String currency) {
}
