package dev.dike.sample.prices;

import dev.dike.annotation.Batch;
import dev.dike.sample.Price;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Merges concurrent single lookups into bulk backend calls. {@code @Batch(bulkMethod = "lookUpAll")}
 * queues the calls of {@link #lookup}, and for each batch calls {@link #lookUpAll} once with the
 * batch's distinct SKUs; each caller receives the price of its own SKU (callers asking for the
 * same SKU share one row of the bulk call). Batch size and waiting time come from
 * {@code dike.batch.instances.price-lookups}.
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
     * Looks one price up; concurrent calls share one backend call. The body never runs: each batch
     * calls {@link #lookUpAll} instead.
     *
     * @param sku the article
     * @return its price
     */
    @Batch(name = "price-lookups", bulkMethod = "lookUpAll")
    public Mono<Price> lookup(String sku) {
        return null;
    }

    /**
     * Looks the prices of one batch up in one backend call ({@code @Retry} applies inside
     * {@link InventoryClient#fetchPrices}).
     *
     * @param skus the batch's distinct articles
     * @return their prices, in the same order
     */
    public Mono<List<Price>> lookUpAll(List<String> skus) {
        return inventory.fetchPrices(skus);
    }
}
