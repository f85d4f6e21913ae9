package dev.dike.sample.prices;

import dev.dike.sample.Price;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import java.util.regex.Pattern;

/** The public API: {@code GET /prices/{sku}}, optionally {@code ?batching=false}. */
@RestController
class PriceController {

    private static final Pattern SKU = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final PriceService prices;
    private final boolean batchingByDefault;

    PriceController(PriceService prices, @Value("${sample.batching:true}") boolean batchingByDefault) {
        this.prices = prices;
        this.batchingByDefault = batchingByDefault;
    }

    @GetMapping("/prices/{sku}")
    Mono<Price> price(@PathVariable String sku, @RequestParam(required = false) Boolean batching) {
        if (!SKU.matcher(sku).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "sku must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return prices.price(sku, batching != null ? batching : batchingByDefault);
    }
}
