package org.offload.bench;

import java.util.Locale;

/** Number formatting for the table: precision by unit and size, thousands separated. */
final class Format {
    private Format() {}

    static String number(double v, String unit) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (unit.equals("×")) {
            return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
        }
        double a = Math.abs(v);
        if (a >= 1000 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }

    /** "min–max" of a row, or "" for a single value. */
    static String spread(Row row) {
        if (row.values().size() < 2) {
            return "";
        }
        return number(row.min(), row.unit()) + "–" + number(row.max(), row.unit());
    }
}
