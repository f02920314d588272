package org.offload.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG of one run: every target (each on its own axis, with the target marked and the spread
 * of the rounds as a whisker), round-trip p50 per transport, and throughput per transport (log axis).
 */
final class SvgChart {
    private static final int WIDTH = 1100;
    private static final int LABEL = 470;
    private static final int BAR = 420;
    private static final int ROW = 20;
    private static final String GREEN = "#2e8b57";
    private static final String RED = "#c0392b";
    private static final String GREY = "#7f8c8d";
    /** The target axis runs from 1/SPAN to SPAN times the target. */
    private static final double SPAN = 20;
    private static final String[] SERIES = {"#34495e", "#2980b9", "#5dade2", "#e67e22", "#f5b041", "#8e44ad", "#af7ac5"};

    private final Machine machine;
    private final BenchOptions options;
    private final List<Row> rows;
    private final StringBuilder body = new StringBuilder();
    private int y;

    SvgChart(Machine machine, BenchOptions options, List<Row> rows) {
        this.machine = machine;
        this.options = options;
        this.rows = rows;
    }

    String render() {
        y = 30;
        text(20, y, "Offload benchmark" + (options.quick() ? " (quick smoke run: not meaningful)" : ""), 18, "bold", "start");
        y += 20;
        text(20, y, machine.summary(), 12, "normal", "start");
        y += 30;
        targets();
        y += 20;
        grouped("Round trip p50 (µs, lower is better)", ".p50", false,
                new String[] {"raw.sync", "offload.call", "grpc.blocking", "grpcdirect.blocking"},
                new String[] {"raw JeroMQ", "Offload call", "gRPC blocking, default", "gRPC blocking, direct"});
        y += 20;
        grouped("Throughput (req/s, higher is better, log axis)", ".rate", true,
                new String[] {"raw.pipe", "offload.async", "offload.asyncdirect", "grpc.async", "grpcdirect.async",
                    "raw.oneway", "offload.send"},
                new String[] {"raw JeroMQ pipelined", "Offload callAsync", "Offload callAsync, direct callbacks",
                    "gRPC async, default", "gRPC async, direct", "raw JeroMQ one-way", "Offload send (nowait)"});
        String head = String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH, y + 20, WIDTH, y + 20);
        return head + body + "</svg>\n";
    }

    /**
     * Every row with a target, as how far its median is from the target: a log axis centred on the target,
     * met to the right (green), missed to the left (red); the whisker spans the rounds' min–max.
     */
    private void targets() {
        text(20, y, "Targets: how far each median is from its target (log axis; right of the line = met)", 14, "bold",
                "start");
        y += 10;
        int centre = LABEL + BAR / 2;
        for (Row r : rows) {
            if (r.target() == null || !r.hasValues()) {
                continue;
            }
            y += ROW;
            Row.Target t = r.target();
            boolean met = r.result().equals("met");
            text(LABEL - 8, y, r.label(), 11, "normal", "end");
            double x = offset(t.score(r.median()));
            body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>%n",
                    centre + Math.min(0, x), y - 11, Math.max(1.5, Math.abs(x)), met ? GREEN : RED));
            double a = offset(t.score(r.min()));
            double b = offset(t.score(r.max()));
            whisker(BAR / 2.0 + Math.min(a, b), BAR / 2.0 + Math.max(a, b));
            text(LABEL + BAR + 8, y, Format.number(r.median(), r.unit()) + " " + r.unit() + "  (target "
                    + t.text(r.unit()) + ") " + r.result(), 11, met ? "normal" : "bold", "start");
        }
        y += 8;
        body.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                centre, y - rowsWithTargets() * ROW - 12, centre, y));
        for (double v : new double[] {1 / SPAN, 0.1, 0.5, 1, 2, 10, SPAN}) {
            double x = centre + offset(v);
            body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                    x, y, x, y + 5, GREY));
            text((int) x, y + 16, (v == 1 ? "on target" : (v < 1 ? "1/" + Format.number(1 / v, "") : Format.number(v, ""))
                    + "×"), 10, "normal", "middle");
        }
        y += 20;
    }

    /** Log distance of {@code score} from 1 in pixels, clipped to half the bar area. */
    private static double offset(double score) {
        if (!Double.isFinite(score) || score <= 0) {
            return -BAR / 2.0;
        }
        double x = Math.log10(score) / Math.log10(SPAN) * (BAR / 2.0);
        return Math.max(-BAR / 2.0, Math.min(BAR / 2.0, x));
    }

    private int rowsWithTargets() {
        return (int) rows.stream().filter(r -> r.target() != null && r.hasValues()).count();
    }

    /** One block per payload, one bar per series, on a shared axis. */
    private void grouped(String title, String metric, boolean log, String[] prefixes, String[] names) {
        text(20, y, title, 14, "bold", "start");
        double max = 0;
        double min = Double.MAX_VALUE;
        List<Row> found = new ArrayList<>();
        for (Row r : rows) {
            for (String prefix : prefixes) {
                if (r.id().startsWith(prefix + ".") && r.id().endsWith(metric) && r.hasValues()) {
                    max = Math.max(max, r.max());
                    min = Math.min(min, r.median());
                    found.add(r);
                }
            }
        }
        if (found.isEmpty()) {
            return;
        }
        double lo = log ? Math.pow(10, Math.floor(Math.log10(Math.max(min, 1)))) : 0;
        double step = log ? 0 : niceStep(max / 4);
        double hi = log ? Math.pow(10, Math.ceil(Math.log10(max))) : Math.ceil(max * 1.05 / step) * step;
        y += 6;
        for (Payload p : Payload.values()) {
            y += ROW;
            text(20, y, p.label + " (" + p.size() + " B)", 12, "bold", "start");
            for (int i = 0; i < prefixes.length; i++) {
                Row r = find(found, prefixes[i] + "." + p.label + metric);
                if (r == null) {
                    continue;
                }
                y += ROW - 2;
                text(LABEL - 8, y, names[i], 11, "normal", "end");
                bar(position(r.median(), lo, hi, log), SERIES[i % SERIES.length]);
                whisker(position(r.min(), lo, hi, log), position(r.max(), lo, hi, log));
                text(LABEL + BAR + 8, y, Format.number(r.median(), r.unit()) + " " + r.unit(), 11, "normal", "start");
            }
        }
        y += 16;
        int ticks = (int) Math.round(log ? Math.log10(hi / lo) : hi / step);
        for (int i = 0; i <= ticks; i++) {
            double v = log ? lo * Math.pow(10, i) : step * i;
            double x = LABEL + position(v, lo, hi, log);
            body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                    x, y - 6, x, y, GREY));
            text((int) x, y + 12, Format.number(v, ""), 10, "normal", "middle");
        }
        y += 12;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
    }

    private static Row find(List<Row> rows, String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    private static double position(double v, double lo, double hi, boolean log) {
        if (log) {
            return Math.max(0, Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo) * BAR);
        }
        return v / hi * BAR;
    }

    private void bar(double width, String color) {
        body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>%n",
                LABEL, y - 11, Math.max(0.5, Math.min(width, BAR)), color));
    }

    private void whisker(double from, double to) {
        if (Double.isFinite(from) && Double.isFinite(to) && to > from) {
            body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                    LABEL + Math.min(from, BAR), y - 5, LABEL + Math.min(to, BAR), y - 5));
        }
    }

    private void text(int x, int atY, String s, int size, String weight, String anchor) {
        body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" "
                + "text-anchor=\"%s\">%s</text>%n", x, atY, size, weight, anchor, escape(s)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
