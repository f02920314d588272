package org.offload.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags client call observations; implement it to change them (e.g. to tag a path template). */
public interface OffloadClientObservationConvention extends ObservationConvention<OffloadClientContext> {
    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof OffloadClientContext;
    }
}
