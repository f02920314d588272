package org.offload.bench;

import java.util.Map;

/** One measured thing, run in rounds: each round returns its figures by metric name. */
interface Scenario {
    /** Figure id prefix, e.g. {@code offload.call.json}. */
    String id();

    /**
     * Runs one round as long as {@code round} says and returns metric name to value (e.g. {@code p50} in µs,
     * {@code rate} per second), with {@code requests} and {@code cut} ({@link Round#addTo}) among them.
     */
    Map<String, Double> round(Round round) throws Exception;
}
