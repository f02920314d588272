package org.offload.client;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQ;

/** One service instance as the client sees it: its addresses and the PUSH socket (sender thread only). */
final class Instance {
    final String pullAddress;
    final String pubAddress;
    final ZMQ.Socket push;
    final AtomicInteger inFlight = new AtomicInteger();

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push) {
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.push = push;
    }

    /** Sender thread: true when the PUSH socket has a live connection with room under its HWM. */
    boolean writable() {
        return (push.getEvents() & ZMQ.Poller.POLLOUT) != 0;
    }
}
