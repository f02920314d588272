package org.offload.client;

import org.offload.service.internal.Checks;

/** One instance of a service as discovery finds it: where its PULL and PUB sockets are. */
public record InstanceAddress(String pullAddress, String pubAddress) {
    public InstanceAddress {
        Checks.notBlank("pullAddress", pullAddress);
        Checks.notBlank("pubAddress", pubAddress);
        if (pullAddress.equals(pubAddress)) {
            throw new IllegalArgumentException("pullAddress and pubAddress must differ but both were " + pullAddress);
        }
    }
}
