package dev.dike.benchmarks.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The in-memory job every batching benchmark does: add one to each item, answer at once. */
public final class AddOne {

    private AddOne() {
    }

    /**
     * @param items any numbers
     * @return a completed future of a new list holding each number plus one
     */
    public static CompletableFuture<List<Integer>> apply(List<Integer> items) {
        List<Integer> results = new ArrayList<>(items.size());
        for (Integer item : items) {
            results.add(item + 1);
        }
        return CompletableFuture.completedFuture(results);
    }
}
