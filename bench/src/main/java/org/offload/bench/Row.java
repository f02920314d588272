package org.offload.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of the result table: a figure (its values per round) or a ratio of two figures (taken round by
 * round), with an optional target.
 */
record Row(String section, String id, String label, String unit, List<Double> values, Target target, String note) {

    /** A goal for the row's median. */
    record Target(String op, double threshold) {
        static Target atMost(double t) {
            return new Target("<=", t);
        }

        static Target atLeast(double t) {
            return new Target(">=", t);
        }

        static Target exactly(double t) {
            return new Target("=", t);
        }

        boolean met(double value) {
            return switch (op) {
                case "<=" -> value <= threshold;
                case ">=" -> value >= threshold;
                default -> value == threshold;
            };
        }

        /** How far the value is from missing: above 1 is met, below 1 missed (for "=", 1 or 0). */
        double score(double value) {
            return switch (op) {
                case "<=" -> threshold / value;
                case ">=" -> value / threshold;
                default -> met(value) ? 1 : 0;
            };
        }

        String text(String unit) {
            String sign = switch (op) {
                case "<=" -> "≤ ";
                case ">=" -> "≥ ";
                default -> "= ";
            };
            return sign + Format.number(threshold, unit) + (unit.equals("×") ? "×" : "");
        }
    }

    /** Values of {@code num} divided by those of {@code den}, round by round (as many as both have). */
    static List<Double> ratios(List<Double> num, List<Double> den) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < Math.min(num.size(), den.size()); i++) {
            out.add(num.get(i) / den.get(i));
        }
        return out;
    }

    boolean hasValues() {
        return !values.isEmpty();
    }

    double median() {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** "met", "MISSED", "n/a" (no values), or "" (no target). */
    String result() {
        if (target == null) {
            return "";
        }
        if (!hasValues() || !Double.isFinite(median())) {
            return "n/a";
        }
        return target.met(median()) ? "met" : "MISSED";
    }
}
