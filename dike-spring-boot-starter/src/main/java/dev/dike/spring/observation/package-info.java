/**
 * Tracing for dike: Micrometer observations of retried calls, waits for a permit and batch runs, and
 * the caller's context (tracing, logging, security) carried across dike's thread hops with
 * Micrometer's context-propagation library. See {@code docs/tracing.md}.
 */
package dev.dike.spring.observation;
