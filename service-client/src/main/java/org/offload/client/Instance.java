package org.offload.client;

import org.zeromq.ZMQ;

/** One service instance as the client sees it: its addresses and the PUSH socket to it. I/O thread only. */
final class Instance {
    final String pullAddress;
    final String pubAddress;
    final ZMQ.Socket push;
    int inFlight;
    long sent;

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push) {
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.push = push;
    }

    boolean writable() {
        return (push.getEvents() & ZMQ.Poller.POLLOUT) != 0;
    }
}
