package org.offload.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags service request observations; implement it to change them. */
public interface OffloadServerObservationConvention extends ObservationConvention<OffloadServerContext> {
    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof OffloadServerContext;
    }
}
