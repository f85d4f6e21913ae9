package dev.dike.sample.demo;

import dev.dike.sample.backend.BackendStats;

/**
 * What one phase of the demo did, as the summary table shows it.
 *
 * @param label     the column heading
 * @param run       the client side: requests and their answers
 * @param backend   the backend calls made during the phase
 * @param retries   the retries scheduled during the phase
 */
record PhaseResult(String label, LoadRun run, BackendStats backend, long retries) {
}
