package org.offload.micrometer;

import io.micrometer.common.KeyValues;

/**
 * Tag (key value) names and values of Offload's meters and spans, after the OpenTelemetry RPC semantic
 * conventions where one fits (README, "Metrics and tracing with Micrometer", has the table).
 */
public final class OffloadTags {
    /** {@code rpc.system}: always {@value #SYSTEM_VALUE}. */
    public static final String SYSTEM = "rpc.system";
    public static final String SYSTEM_VALUE = "offload";
    /** {@code rpc.service}: the service's name (registered name on the client, built name on the service). */
    public static final String SERVICE = "rpc.service";
    /** {@code rpc.method}: the request's METHOD, e.g. {@code request}. */
    public static final String METHOD = "rpc.method";
    /** The final status code, e.g. {@code 200}, {@code 404}, {@code 408}; like {@code rpc.grpc.status_code}. */
    public static final String STATUS_CODE = "rpc.offload.status_code";
    /** Service side: the regex of the route the request matched, or {@value #NONE} (404, 405, stopping). */
    public static final String ROUTE = "offload.route";
    /** Client side: the request's path (high cardinality if paths carry ids: see the README). */
    public static final String PATH = "offload.path";
    /** Meters of {@link OffloadClientMetrics}: the client's name. */
    public static final String CLIENT = "offload.client";
    /** The value of {@link #ROUTE} when no route matched. */
    public static final String NONE = "none";

    private OffloadTags() {
    }

    /** The low-cardinality tags of a call: system, service, METHOD, {@code where} and, once ended, the status. */
    static KeyValues call(String service, String method, String whereKey, String where, Integer status) {
        KeyValues tags = KeyValues.of(SYSTEM, SYSTEM_VALUE, SERVICE, service, METHOD, method, whereKey, where);
        return status == null ? tags : tags.and(STATUS_CODE, Integer.toString(status));
    }
}
