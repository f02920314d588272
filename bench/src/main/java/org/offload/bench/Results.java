package org.offload.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every figure of one run, by id ({@code side.kind.payload.metric}), one value per round in round order. */
final class Results {
    private final Map<String, List<Double>> figures = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();

    synchronized void add(String id, double value) {
        figures.computeIfAbsent(id, k -> new ArrayList<>()).add(value);
    }

    /** Adds every figure of one scenario round under {@code prefix}. */
    synchronized void addAll(String prefix, Map<String, Double> round) {
        round.forEach((metric, value) -> add(prefix + "." + metric, value));
    }

    synchronized List<Double> values(String id) {
        return List.copyOf(figures.getOrDefault(id, List.of()));
    }

    /** A line of detail shown with the figure's row (counts behind a figure, parameters). */
    synchronized void note(String id, String note) {
        notes.put(id, note);
    }

    synchronized String note(String id) {
        return notes.getOrDefault(id, "");
    }

    synchronized Map<String, List<Double>> all() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        figures.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }
}
