package dev.dike.redis;

import dev.dike.limit.LimitListener;

import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link FaultsTest}: an application instance that takes permits of a cluster limit,
 * prints {@code HELD <lease ids>} and keeps them (renewing) until it is killed or its stdin closes.
 * Arguments: redis URL, namespace, limit name, limit, permits to take, lease time and round-trip timeout
 * in milliseconds.
 */
public final class PermitHolder {

    private PermitHolder() {
    }

    public static void main(String[] args) throws Exception {
        RedisClient client = RedisClient.create(args[0]);
        ClusterLimits limits = ClusterLimits.builder(client).namespace(args[1])
                .leaseTime(Duration.ofMillis(Long.parseLong(args[5])))
                .roundTripTimeout(Duration.ofMillis(Long.parseLong(args[6]))).build();
        ClusterLimiter limiter = limits.limiter(args[2], Integer.parseInt(args[3]), Duration.ofSeconds(60),
                LimitListener.NONE);
        StringBuilder held = new StringBuilder("HELD");
        for (int i = 0; i < Integer.parseInt(args[4]); i++) {
            held.append(' ').append(limiter.acquire().get(60, TimeUnit.SECONDS).leaseId());
        }
        System.out.println(held);
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the permits until the parent kills this process or closes stdin
        }
        limits.close();
        client.shutdown();
    }
}
