package dev.dike.sample.demo;

/**
 * What one phase of the demo did, as the summary tables show it.
 *
 * @param label  the column heading
 * @param run    the client side: requests and their answers
 * @param counts the backend calls and the {@code @Retry} figures during the phase
 * @param limit  the limit in force during the phase
 */
record PhaseResult(String label, LoadRun run, Counts counts, LimitSamples limit) {
}
