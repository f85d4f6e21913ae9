package dev.dike.sample.prices;

import dev.dike.annotation.LimitJobs;
import dev.dike.sample.Price;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * The per-request entry point of {@code GET /prices/{sku}}. {@code @LimitJobs} allows at most
 * {@code dike.limit.instances.prices.limit} requests in flight; the next one fails at once with
 * {@link dev.dike.limit.TooManyCallsException}, which the starter turns into HTTP 503.
 */
@Service
public class PriceService {

    private final PriceLookupBatcher batcher;
    private final InventoryClient inventory;

    PriceService(PriceLookupBatcher batcher, InventoryClient inventory) {
        this.batcher = batcher;
        this.inventory = inventory;
    }

    /**
     * Looks one price up.
     *
     * @param sku     the article
     * @param batched whether to share a bulk backend call with concurrent requests, or to make a
     *                backend call of its own
     * @return the price; the permit is held until it completes
     */
    @LimitJobs(name = "prices")
    public Mono<Price> price(String sku, boolean batched) {
        // Batched: the Mono submits to the batch queue at subscription, once the limiter has granted a
        // permit. Unbatched: deferred for the same reason, a bulk backend call of its own for one SKU.
        return batched ? batcher.lookup(sku)
                : Mono.defer(() -> inventory.fetchPrices(List.of(sku))).map(prices -> prices.get(0));
    }
}
