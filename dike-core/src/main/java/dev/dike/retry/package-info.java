/** Retry with delay, backoff, jitter and a WARN line per retry: {@link dev.dike.retry.Retrier}. */
package dev.dike.retry;
