/**
 * A limit for {@link dev.dike.limit.JobLimiter} that finds the backend's capacity by itself:
 * {@link dev.dike.limit.adaptive.AdaptiveLimit}. See docs/adaptive.md for the design.
 */
package dev.dike.limit.adaptive;
