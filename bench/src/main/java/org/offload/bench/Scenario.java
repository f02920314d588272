package org.offload.bench;

import java.time.Duration;
import java.util.Map;

/** One measured thing, run in rounds: each round returns its figures by metric name. */
interface Scenario {
    /** Figure id prefix, e.g. {@code offload.call.json}. */
    String id();

    /** Runs for about {@code length} and returns metric name to value (e.g. {@code p50} in µs, {@code rate} per second). */
    Map<String, Double> round(Duration length) throws Exception;
}
