package dev.dike.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * How the callers of one thread of a batch stress test give up: after each submit, 4% cancel their
 * own call and 4% cancel one of the last 32 calls of their thread (which may be queued, running or
 * done).
 */
final class RecentCallers {

    private final List<CompletableFuture<?>> recent = new ArrayList<>();

    /** Records a call just submitted, then maybe cancels it or a recent one. */
    void submitted(CompletableFuture<?> future, SplittableRandom random) {
        int cancel = random.nextInt(100);
        if (cancel < 4) {
            future.cancel(true);
        } else if (cancel < 8 && !recent.isEmpty()) {
            recent.get(random.nextInt(recent.size())).cancel(true);
        }
        if (recent.size() < 32) {
            recent.add(future);
        } else {
            recent.set(random.nextInt(recent.size()), future);
        }
    }
}
