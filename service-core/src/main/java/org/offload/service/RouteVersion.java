package org.offload.service;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of a route, {@code MAJOR.MINOR} (e.g. {@code 1.3}), and of what a request asks for with the
 * {@value #HEADER} header. A route serves a request that asks for {@code M.m} when it has the same major and a
 * minor at least {@code m} (PROTOCOL.md section 7, step 11).
 *
 * @param major 0..999,999,999
 * @param minor 0..999,999,999
 */
public record RouteVersion(int major, int minor) implements Comparable<RouteVersion> {
    /** The request header that asks for a version. */
    public static final String HEADER = "offload-version";
    private static final Pattern FORMAT = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})");

    public RouteVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("version must be MAJOR.MINOR with both >= 0 but was " + major + "." + minor);
        }
    }

    /** Parses {@code MAJOR.MINOR}: decimal digits without leading zeros, e.g. {@code 1.3} or {@code 2.0}. */
    public static RouteVersion parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("version must be MAJOR.MINOR (digits, e.g. 1.3) but was '"
                    + (text == null ? "null" : org.offload.service.internal.Checks.abbreviate(text)) + "'");
        }
        return new RouteVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** True when a route of this version may serve a request asking for {@code asked}: same major, minor >= asked. */
    public boolean serves(RouteVersion asked) {
        return major == asked.major && minor >= asked.minor;
    }

    @Override
    public int compareTo(RouteVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
