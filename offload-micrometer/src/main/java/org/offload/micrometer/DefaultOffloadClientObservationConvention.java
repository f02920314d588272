package org.offload.micrometer;

import io.micrometer.common.KeyValues;

/**
 * Client calls as {@value #NAME} timers tagged {@code rpc.system}, {@code rpc.service}, {@code rpc.method},
 * {@code offload.path} and, once the call has ended, {@code rpc.offload.status_code}; spans named
 * {@code service/METHOD}.
 */
public class DefaultOffloadClientObservationConvention implements OffloadClientObservationConvention {
    /** The observation (and timer) name, as in OpenTelemetry's {@code rpc.client.duration}. */
    public static final String NAME = "rpc.client.duration";
    public static final DefaultOffloadClientObservationConvention INSTANCE = new DefaultOffloadClientObservationConvention();

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(OffloadClientContext context) {
        return context.service() + "/" + context.request().method();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(OffloadClientContext context) {
        return OffloadTags.call(context.service(), context.request().method(), OffloadTags.PATH,
                context.request().path(), context.getResponse());
    }
}
