package dev.dike.batch;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-key queues of one {@link Batcher}. A queue exists only while it holds calls: an emptied
 * queue retires itself and is forgotten here, so nothing remains once traffic stops.
 *
 * @param <T> the element type of the batched columns
 * @param <R> the element type of the result
 */
final class KeyQueues<T, R> {

    /** Stands for the {@code null} key, which a {@link ConcurrentHashMap} cannot hold. */
    private static final Object NO_KEY = new Object();

    private final ConcurrentHashMap<Object, KeyQueue<T, R>> byKey = new ConcurrentHashMap<>();
    private final BatchContext<T, R> context;

    KeyQueues(BatchContext<T, R> context) {
        this.context = context;
    }

    /** @return the live queue of {@code key}, creating it if needed; it may retire before the caller locks it */
    KeyQueue<T, R> queueFor(Object key) {
        return byKey.computeIfAbsent(key == null ? NO_KEY : key, mapKey -> new KeyQueue<>(context, key, mapKey));
    }

    /** Removes a retired queue, unless a fresh queue already replaced it. */
    void forget(KeyQueue<T, R> queue) {
        byKey.remove(queue.mapKey(), queue);
    }

    /** @return a weakly consistent view of the live queues */
    Collection<KeyQueue<T, R>> all() {
        return byKey.values();
    }

    int size() {
        return byKey.size();
    }
}
