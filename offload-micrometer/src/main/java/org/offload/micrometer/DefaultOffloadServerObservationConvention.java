package org.offload.micrometer;

import io.micrometer.common.KeyValues;

/**
 * Service requests as {@value #NAME} timers tagged {@code rpc.system}, {@code rpc.service}, {@code rpc.method},
 * {@code offload.route} and, once answered, {@code rpc.offload.status_code}; spans named {@code service/METHOD}.
 */
public class DefaultOffloadServerObservationConvention implements OffloadServerObservationConvention {
    /** The observation (and timer) name, as in OpenTelemetry's {@code rpc.server.duration}. */
    public static final String NAME = "rpc.server.duration";
    public static final DefaultOffloadServerObservationConvention INSTANCE = new DefaultOffloadServerObservationConvention();

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(OffloadServerContext context) {
        return context.service() + "/" + context.request().method();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(OffloadServerContext context) {
        return OffloadTags.call(context.service(), context.request().method(), OffloadTags.ROUTE,
                context.route().isEmpty() ? OffloadTags.NONE : context.route(), context.getResponse());
    }
}
