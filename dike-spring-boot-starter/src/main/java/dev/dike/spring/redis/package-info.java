/**
 * Spring wiring of dike-redis: {@code @LimitJobs} instances with {@code scope: cluster} share their limit across
 * every application instance connected to the same Redis (docs/cluster.md).
 */
package dev.dike.spring.redis;
