package dev.dike.limit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every limiter event as a readable line, e.g. {@code permitted jobs 0}. */
final class RecordingListener implements LimitListener {

    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onPermitted(String name, long waitNanos) {
        events.add("permitted " + name + " " + waitNanos);
    }

    @Override
    public void onRejected(String name, long waitNanos) {
        events.add("rejected " + name + " " + waitNanos);
    }

    @Override
    public void onLimitChanged(String name, int oldLimit, int newLimit) {
        events.add("limit " + name + " " + oldLimit + "->" + newLimit);
    }
}
