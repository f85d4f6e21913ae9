/** Micrometer meters of every dike instance; active when Micrometer and a meter registry are present. */
package dev.dike.spring.metrics;
