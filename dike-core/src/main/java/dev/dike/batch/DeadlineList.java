package dev.dike.batch;

/**
 * Entries ordered by deadline, with constant-time removal of any entry: the list behind the one
 * timer of {@link FlushTimers} and of {@link ProcessingTimeouts}. Entries carry their own links, so
 * listing allocates nothing. Deadlines mostly come in order, so adding walks back from the latest
 * entry only when an earlier deadline arrives late. Not thread-safe: its owner guards it.
 *
 * @param <E> the entry type
 */
final class DeadlineList<E extends DeadlineList.Entry<E>> {

    /**
     * The links and deadline of an entry; an entry is in at most one list at a time.
     *
     * @param <E> the entry type
     */
    abstract static class Entry<E extends Entry<E>> {
        // Package-private only because a type variable cannot reach private fields; DeadlineList alone uses them.
        long deadlineNanos;
        E earlier;
        E later;
        boolean listed;

        final long deadlineNanos() {
            return deadlineNanos;
        }
    }

    private E earliest;
    private E latest;

    /** Adds {@code entry}, which must not be listed, after every entry with an equal or earlier deadline. */
    void add(E entry, long deadlineNanos) {
        entry.deadlineNanos = deadlineNanos;
        E before = latest;
        while (before != null && before.deadlineNanos - deadlineNanos > 0) {
            before = before.earlier;
        }
        entry.earlier = before;
        entry.later = before == null ? earliest : before.later;
        if (entry.later == null) {
            latest = entry;
        } else {
            entry.later.earlier = entry;
        }
        if (before == null) {
            earliest = entry;
        } else {
            before.later = entry;
        }
        entry.listed = true;
    }

    /** Removes {@code entry}; does nothing if it is not listed. */
    void remove(E entry) {
        if (!entry.listed) {
            return;
        }
        if (entry.earlier == null) {
            earliest = entry.later;
        } else {
            entry.earlier.later = entry.later;
        }
        if (entry.later == null) {
            latest = entry.earlier;
        } else {
            entry.later.earlier = entry.earlier;
        }
        entry.earlier = null;
        entry.later = null;
        entry.listed = false;
    }

    /** @return the entry with the earliest deadline, or {@code null} if the list is empty */
    E earliest() {
        return earliest;
    }

    /** @return the earliest entry if its deadline is not after {@code nowNanos}, removed; otherwise {@code null} */
    E pollExpired(long nowNanos) {
        E first = earliest;
        if (first == null || first.deadlineNanos - nowNanos > 0) {
            return null;
        }
        remove(first);
        return first;
    }

    /** @return the earliest entry, removed, or {@code null} if the list is empty */
    E poll() {
        E first = earliest;
        if (first != null) {
            remove(first);
        }
        return first;
    }

    int size() {
        int count = 0;
        for (E entry = earliest; entry != null; entry = entry.later) {
            count++;
        }
        return count;
    }
}
