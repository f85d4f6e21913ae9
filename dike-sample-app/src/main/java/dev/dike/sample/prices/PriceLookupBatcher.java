package dev.dike.sample.prices;

import dev.dike.annotation.Batch;
import dev.dike.sample.Price;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Merges concurrent single lookups into bulk backend calls. {@code @Batch} calls {@link #lookup}
 * once with the SKUs of many callers concatenated, and hands each caller its own slice of the
 * result; batch size and waiting time come from {@code dike.batch.instances.price-lookups}.
 *
 * <p>It is a bean of its own because Spring AOP advises only calls that come through the proxy:
 * {@link PriceService} calling a {@code @Batch} method on itself would bypass batching.
 */
@Component
public class PriceLookupBatcher {

    private final InventoryClient inventory;

    PriceLookupBatcher(InventoryClient inventory) {
        this.inventory = inventory;
    }

    /**
     * Looks prices up; concurrent calls share one backend call.
     *
     * @param skus the articles of one caller
     * @return their prices, in the same order
     */
    @Batch(name = "price-lookups")
    public Mono<List<Price>> lookup(List<String> skus) {
        return inventory.fetchPrices(skus);
    }
}
