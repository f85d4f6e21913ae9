package dev.dike.limit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stripe of {@link Permits}: a share of the limit (its quota) and the permits out on it, alone
 * on its cache lines.
 *
 * <p>The permits out and a change stamp share one 64-bit word: the count in the low half, in the
 * high half a number that every take, give-back and change of the share raises by one. Two reads that see the same word
 * therefore prove that the stripe did not change in between, which {@link Permits} needs to refuse a
 * permit only when every stripe was full at once.
 */
final class PermitStripe extends PermitStripeFields {

    @SuppressWarnings("unused") // padding: see PermitStripePadding
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    /** @return the permits out in a stripe's word */
    static int count(long word) {
        return (int) word;
    }

    /** @return the stripe's word: its count and change stamp */
    long word() {
        return word;
    }

    /** @return this stripe's share of the limit */
    int quota() {
        return quota;
    }

    void quota(int quota) {
        this.quota = quota;
    }

    /** Takes a permit if fewer than the quota are out on this stripe. */
    boolean tryTake() {
        long current;
        do {
            current = word;
            if (count(current) >= quota) {
                return false;
            }
        } while (!WORD.compareAndSet(this, current, current + ONE_CHANGE + 1));
        return true;
    }

    /**
     * Raises the change stamp if the word is still {@code expected}, so that any take or give-back
     * that read the word before fails its compare-and-set and reads the stripe again.
     */
    boolean changeStamp(long expected) {
        return WORD.compareAndSet(this, expected, expected + ONE_CHANGE);
    }

    /** Raises the change stamp whatever the count, after a change of the share. */
    void changeStamp() {
        WORD.getAndAdd(this, ONE_CHANGE);
    }

    /** Gives a permit back if any is out on this stripe. */
    boolean tryGiveBack() {
        long current;
        do {
            current = word;
            if (count(current) <= 0) {
                return false;
            }
        } while (!WORD.compareAndSet(this, current, current + ONE_CHANGE - 1));
        return true;
    }
}

/** The padding before the fields, then the fields: superclass fields come first in an object's layout. */
abstract class PermitStripeFields extends PermitStripePadding {

    /** One step of the change stamp in the high half of the word; it wraps around harmlessly. */
    static final long ONE_CHANGE = 1L << 32;
    static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(PermitStripeFields.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Change stamp (high 32 bits) and permits out (low 32 bits, never negative). */
    volatile long word;
    /** This stripe's share of the limit; permits out may exceed it for a while after it was lowered. */
    volatile int quota;
}

/**
 * 128 bytes on each side of a stripe's fields (a cache line and the neighbour that CPUs fetch with
 * it), so that no other object's fields share their lines: every call writes them, from whichever
 * core it runs on.
 */
abstract class PermitStripePadding {

    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
}
