package dev.dike.redis;

import dev.dike.time.DelayScheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews every lease of this instance, and its heartbeat, in one {@code renew.lua} round trip per
 * renewal period (a third of the lease time), scheduled on the {@link DelayScheduler} so that tests can
 * drive it on a virtual clock. The same round trip re-asserts every lease when Redis lost its data
 * (the epoch changed), adds the permits granted locally while Redis was unreachable, reports leases that
 * expired before they could be renewed, and tells each limit its cluster limit, the leases in force and
 * how many instances are alive. It also serves as the probe that notices Redis is back.
 *
 * <p>Threads: {@link #renew()} runs on the scheduler's thread (or whichever thread asked for an early
 * renewal) and only sends; the reply is handled on a Lettuce event-loop thread. At most one renewal is
 * in flight: a request meanwhile runs right after it. Never blocks, takes no lock.
 */
final class LeaseRenewer {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);

    private final ClusterLimits fleet;
    private final Supplier<LeaseTable> table;
    private final DelayScheduler scheduler;
    private final long periodNanos;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile boolean again;
    private volatile boolean closed;
    private volatile DelayScheduler.ScheduledTask next;
    /** The data-set epoch of the last renewal; {@code null} before the first. */
    private volatile String epoch;
    private volatile int alive = 1;

    LeaseRenewer(ClusterLimits fleet, Supplier<LeaseTable> table, DelayScheduler scheduler, long periodNanos) {
        this.fleet = fleet;
        this.table = table;
        this.scheduler = scheduler;
        this.periodNanos = periodNanos;
    }

    void start() {
        next = scheduler.schedule(this::tick, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Asks for a renewal now, e.g. after a reconnect or when an acquisition saw a new epoch. */
    void renewSoon() {
        if (!closed) {
            scheduler.schedule(this::renew, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** @return the instances whose heartbeat was in force at the last renewal, at least 1 */
    int alive() {
        return alive;
    }

    /** @return the epoch seen at the last renewal, or {@code null} */
    String epoch() {
        return epoch;
    }

    void close() {
        closed = true;
        DelayScheduler.ScheduledTask task = next;
        if (task != null) {
            task.cancel();
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            renew();
        } finally {
            next = scheduler.schedule(this::tick, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Sends one renewal of everything this instance holds, unless one is in flight. */
    void renew() {
        LeaseTable leases = table.get();
        if (closed || leases == null) {
            return;
        }
        if (!inFlight.compareAndSet(false, true)) {
            again = true;
            return;
        }
        again = false;
        Collection<ClusterLimiter> limiters = fleet.limitersView();
        List<RenewScript.Held> held = new ArrayList<>(limiters.size());
        List<ClusterPermit> sent = new ArrayList<>();
        for (ClusterLimiter limiter : limiters) {
            List<RenewScript.HeldLease> ids = new ArrayList<>();
            for (ClusterPermit permit : limiter.heldPermits()) {
                if (permit.isLost()) {
                    continue;
                }
                boolean fallback = !permit.wasSent();
                permit.markSent(); // before sending: a release from now on goes to Redis too, after this renewal
                ids.add(new RenewScript.HeldLease(permit.leaseId(), fallback));
                sent.add(permit);
            }
            held.add(new RenewScript.Held(limiter.name(), limiter.knownLimit(), ids));
        }
        // The round trip itself reports a failure or a reply to the connection state.
        leases.renew(fleet.instanceId(), epoch, held).whenComplete((renewal, failure) -> {
            inFlight.set(false);
            if (failure == null) {
                apply(renewal, sent);
            }
            fleet.drainAll(); // waiting calls: permits of expired leases, or the fallback
            if (again) {
                renewSoon();
            }
        });
    }

    private void apply(RenewScript.Renewal renewal, List<ClusterPermit> sent) {
        String previous = epoch;
        epoch = renewal.epoch();
        alive = Math.max(1, renewal.alive());
        if (renewal.reasserted() && previous != null) {
            LOG.info("Redis lost its data (restart or failover): re-asserted the {} leases of this instance in "
                    + "namespace '{}'", sent.size(), fleet.namespace());
        }
        for (Map.Entry<String, RenewScript.LimitState> entry : renewal.limits().entrySet()) {
            ClusterLimiter limiter = fleet.find(entry.getKey());
            if (limiter != null) {
                limiter.renewed(entry.getValue());
            }
        }
        for (ClusterPermit permit : sent) {
            if (permit.isReleased() && !permit.isLost()) {
                // Released while this renewal was in flight: the renewal may have added it back.
                permit.limiter().releaseInRedis(permit);
            }
        }
        fleet.listener().onRenewed(sent.size());
    }
}
